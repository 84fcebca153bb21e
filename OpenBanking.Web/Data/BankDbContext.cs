using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data;

/// <summary>
/// The one database of the product: ASP.NET Core Identity's users and roles, OpenIddict's
/// applications, authorizations, scopes and tokens, and the bank's ledger.
/// </summary>
public sealed class BankDbContext(DbContextOptions<BankDbContext> options) : IdentityDbContext<BankUser>(options)
{
    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<Transfer> Transfers => Set<Transfer>();

    public DbSet<Posting> Postings => Set<Posting>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.ApplyConfigurationsFromAssembly(typeof(BankDbContext).Assembly);
    }
}
