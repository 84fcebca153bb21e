using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OpenBanking.Web.Api;
using OpenBanking.Web.Audit;
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

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<ApiCall> ApiCalls => Set<ApiCall>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type, and EF Core cannot compare or sort DateTimeOffset text there.
        // Stored as a 64-bit integer, times sort and filter in SQL. Every time here is UTC.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.ApplyConfigurationsFromAssembly(typeof(BankDbContext).Assembly);
    }
}
