using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.Data.Configurations;

/// <summary>Indexes of OpenIddict's token table beyond those OpenIddict defines.</summary>
internal sealed class OpenIddictTokenConfiguration : IEntityTypeConfiguration<OpenIddictEntityFrameworkCoreToken>
{
    public void Configure(EntityTypeBuilder<OpenIddictEntityFrameworkCoreToken> builder)
    {
        // The admin portal lists tokens newest first, and pruning deletes by age. Without this
        // index, the first page of a million tokens meant reading and sorting all of them.
        builder.HasIndex(token => token.CreationDate);
    }
}
