using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>
/// Runs the real host in Development (so the demo data is seeded) on its own SQLite file, which
/// is deleted on dispose. One instance serves one test class.
/// </summary>
public class OpenBankingFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openbanking-tests", Guid.NewGuid().ToString("N"));

    public OpenBankingFactory()
    {
        Directory.CreateDirectory(_directory);
    }

    public string DatabasePath => Path.Combine(_directory, "openbanking.db");

    /// <summary>Pickup directory that receives the account emails as .eml files.</summary>
    public string MailDirectory => Path.Combine(_directory, "mail");

    /// <summary>Data protection key ring of this host, beside its database.</summary>
    public string KeysDirectory => Path.Combine(_directory, "keys");

    /// <summary>Clock read by OpenIddict's server and validation handlers; tests move it forward.</summary>
    public ShiftedTimeProvider Clock { get; } = new();

    /// <summary>Extra configuration values, applied before the host starts.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:OpenBanking", $"Data Source={DatabasePath}");
        builder.UseSetting("Email:PickupDirectory", MailDirectory);
        builder.UseSetting("DataProtection:KeysDirectory", KeysDirectory);

        // The suite logs in and exchanges codes far faster than people do; tests of the limits
        // set their own small values through Settings.
        builder.UseSetting("RateLimiting:Login:PermitLimit", "100000");
        builder.UseSetting("RateLimiting:Authorize:PermitLimit", "100000");
        builder.UseSetting("RateLimiting:Token:PermitLimit", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.Configure<OpenIddictServerOptions>(options => options.TimeProvider = Clock);
            services.Configure<OpenIddictValidationOptions>(options => options.TimeProvider = Clock);
        });
    }

    /// <summary>Creates an HTTP client that keeps cookies and does not follow redirects.</summary>
    public HttpClient CreateBrowserlessClient() =>
        CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = ClientBaseAddress,
            AllowAutoRedirect = false,
            HandleCookies = true,
        });

    /// <summary>Address the HTTP clients send requests to.</summary>
    protected virtual Uri ClientBaseAddress => new("http://localhost");

    /// <summary>Opens a database context on the test's database, for arranging and asserting rows.</summary>
    public BankDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<BankDbContext>>().CreateDbContext();

    /// <summary>Creates a customer login with a funded account, and returns the login and the account.</summary>
    public async Task<(string Email, string Password, Account Account)> CreateCustomerAsync(decimal balance)
    {
        var email = $"customer-{Guid.NewGuid():N}@bank.test";
        const string password = "customer-pass-123";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
        var user = new BankUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(error => error.Description)));

        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var account = await accounts.OpenAsync("Current", AccountKind.Customer, user.Id, CancellationToken.None);
        if (balance > 0)
        {
            await accounts.FundAsync(account, balance, "Test funding", CancellationToken.None);
        }

        return (email, password, account);
    }

    /// <summary>Returns the customer account's balance as the sum of its postings.</summary>
    public async Task<decimal> SumPostingsAsync(long accountId)
    {
        await using var db = CreateDbContext();
        var amounts = await db.Postings.Where(posting => posting.AccountId == accountId)
            .Select(posting => posting.Amount).ToListAsync();
        return amounts.Sum();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // NOTE: a file still open by a late background task stays in the temp folder.
            }
        }
    }
}
