using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.Data.Configurations;

/// <summary>
/// Adds an index to OpenIddict's token table for the admin portal's token grid, which lists
/// the newest tokens first, and for pruning by age: (CreationDate, Id) lets SQLite read one
/// page in index order instead of sorting the whole table.
/// </summary>
internal sealed class TokenIndexConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreToken>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreToken> builder) =>
        builder.HasIndex(token => new { token.CreationDate, token.Id });
}
