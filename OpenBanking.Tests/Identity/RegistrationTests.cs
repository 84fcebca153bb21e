using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Tests.Identity;

public sealed class RegistrationTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string Password = "a long enough password";

    [Fact]
    public async Task Register_CreatesLoginWithZeroBalanceAccount()
    {
        var email = $"new-{Guid.NewGuid():N}@bank.test";
        var client = factory.CreateBrowserlessClient();

        var response = await RegisterAsync(client, email, Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
        await using var db = factory.CreateDbContext();
        var user = await db.Users.SingleAsync(row => row.Email == email);
        Assert.Equal("New Customer", user.DisplayName);
        var account = await db.Accounts.SingleAsync(row => row.OwnerId == user.Id);
        Assert.Equal(AccountKind.Customer, account.Kind);
        Assert.False(await db.Postings.AnyAsync(row => row.AccountId == account.Id));
        Assert.Equal(1, await db.AuditEvents.CountAsync(row => row.ActorId == user.Id && row.Action == "customer.registered"));

        // Signed in at once, and the new account shows on the accounts page.
        var accounts = await client.GetStringAsync("/account");
        Assert.Equal("₹0", HtmlForm.ElementText(accounts, "balance"));
    }

    [Fact]
    public async Task Register_NewCustomer_CanUseTheApi()
    {
        var email = $"api-{Guid.NewGuid():N}@bank.test";
        await RegisterAsync(factory.CreateBrowserlessClient(), email, Password);
        var flow = new OAuthFlow(factory);

        var tokens = await flow.GetTokensAsync("read", email, Password);
        var balance = await flow.GetBalanceAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, balance.StatusCode);
        var json = JsonDocument.Parse(await balance.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("₹0", json.GetProperty("balance").GetString());
    }

    [Fact]
    public async Task Register_TakenEmail_OpensNoAccount()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var response = await RegisterAsync(client, customer.Email, Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("is already taken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        var ownerId = await db.Users.Where(row => row.Email == customer.Email).Select(row => row.Id).SingleAsync();
        Assert.Equal(1, await db.Accounts.CountAsync(row => row.OwnerId == ownerId));
    }

    [Fact]
    public async Task Register_ShortPassword_IsRejected()
    {
        var email = $"short-{Guid.NewGuid():N}@bank.test";
        var client = factory.CreateBrowserlessClient();

        var response = await RegisterAsync(client, email, "short");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The password needs 12 to 128 characters.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(row => row.Email == email));
    }

    [Fact]
    public async Task Register_OffSiteReturnUrl_IsIgnored()
    {
        var client = factory.CreateBrowserlessClient();

        var response = await RegisterAsync(client, $"ret-{Guid.NewGuid():N}@bank.test", Password, "//attacker.example/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
    }

    internal static Task<HttpResponseMessage> RegisterAsync(
        HttpClient client, string email, string password, string? returnUrl = null) =>
        PageForms.SubmitAsync(client,
            "/Identity/Account/Register" + (returnUrl is null ? string.Empty : "?returnUrl=" + Uri.EscapeDataString(returnUrl)),
            "register-form",
            new Dictionary<string, string>
            {
                ["Input.DisplayName"] = "New Customer",
                ["Input.Email"] = email,
                ["Input.Password"] = password,
                ["Input.ConfirmPassword"] = password,
            });
}

/// <summary>A host with registration switched off, as outside Development.</summary>
public sealed class RegistrationClosedFactory : OpenBankingFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Identity:AllowRegistration"] = "false",
    };
}

public sealed class RegistrationClosedTests(RegistrationClosedFactory factory) : IClassFixture<RegistrationClosedFactory>
{
    [Fact]
    public async Task Register_WhenSwitchedOff_Returns404()
    {
        var client = factory.CreateBrowserlessClient();

        var page = await client.GetAsync("/Identity/Account/Register");
        var post = await client.PostAsync("/Identity/Account/Register", new FormUrlEncodedContent(
            [KeyValuePair.Create("Input.Email", "x@bank.test")]));
        var login = await client.GetStringAsync("/Identity/Account/Login");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.DoesNotContain("/Identity/Account/Register", login, StringComparison.Ordinal);
    }
}
