using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Api;
using OpenBanking.Web.Ledger;
using Xunit.Abstractions;

namespace OpenBanking.Tests.Browser;

/// <summary>
/// The customer's side end to end in Chromium: sign in, grant access, see the payment the
/// application made under Connected apps, remove the access, and watch the token stop working.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class ConnectedAppsBrowserTests(BrowserSession browser, KestrelFactory factory, ITestOutputHelper output)
    : IClassFixture<KestrelFactory>
{
    private const string ClientId = "browser-pay-app";

    [BrowserFact]
    public async Task Customer_GrantsSeesPaymentAndRemovesAccess()
    {
        var baseAddress = factory.ServerAddress.ToString().TrimEnd('/');
        var redirectUri = baseAddress + "/callback/";
        var customer = await factory.CreateCustomerAsync(50_000m);
        await NameCustomerAsync(customer.Email, "Asha Rao");
        var merchant = await OpenSettlementAccountAsync();
        await TestClients.RegisterAsync(factory, ClientId, "Chai Pay", redirectUri, ["read", "payments"],
            homePage: "https://chaipay.example/", settlementAccount: merchant.Number);
        var pkce = Pkce.Create();

        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1100, Height = 800 },
        });
        var page = await context.NewPageAsync();

        // Sign in, sent there by the application's authorization request.
        await page.GotoAsync($"{baseAddress}/o/authorize/?client_id={ClientId}&response_type=code"
            + $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&code_challenge={pkce.Challenge}"
            + "&code_challenge_method=S256&scope=read%20payments&state=browser-state");
        await page.WaitForURLAsync("**/Identity/Account/Login**");
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "customer-login"));
        await page.FillAsync("#Input_Email", customer.Email);
        await page.FillAsync("#Input_Password", customer.Password);
        await page.ClickAsync("#login-submit");

        // Consent: the application, its home page, the account, and the scope that moves money.
        await page.WaitForSelectorAsync("#consent-scopes");
        Assert.Equal("Chai Pay wants to access your account", await page.InnerTextAsync("#consent-title"));
        Assert.Equal("https://chaipay.example/", await page.InnerTextAsync("#consent-home-page"));
        Assert.Contains(customer.Account.Number, await page.InnerTextAsync("#consent-account"), StringComparison.Ordinal);
        Assert.Equal("Asha Rao", await page.InnerTextAsync("#consent-customer"));
        Assert.Contains("Moves money", await page.InnerTextAsync("#scope-label-payments"), StringComparison.Ordinal);
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "customer-consent"));
        await page.ClickAsync("button[name='submit.allow']");
        await page.WaitForURLAsync("**/callback/**");
        var code = await page.InnerTextAsync("#callback-code");

        // The application moves money with its token.
        var flow = new OAuthFlow(factory);
        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, ClientId, TestClients.Secret, redirectUri);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var tokens = await TokenSet.ReadAsync(exchanged);
        Assert.Equal("read payments", tokens.Scope);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        var transfer = await flow.TransferAsync(tokens.AccessToken, """{"amount": 2500}""");
        Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        var transferId = JsonDocument.Parse(await transfer.Content.ReadAsStringAsync()).RootElement
            .GetProperty("transfer_id").GetInt64();
        await factory.Services.GetRequiredService<ApiCallRecorder>().FlushAsync();

        // The customer finds the payment on the accounts page and under the application.
        await page.GotoAsync(baseAddress + "/account");
        Assert.Equal("₹47,500", await page.InnerTextAsync("#balance"));
        Assert.Contains("Chai Pay", await page.InnerTextAsync("#ledger"), StringComparison.Ordinal);
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "customer-accounts"));

        await page.GotoAsync(baseAddress + "/account/apps");
        var app = page.Locator($"section[data-client-id='{ClientId}']");
        Assert.Equal("Chai Pay", await app.Locator(".app-name").InnerTextAsync());
        Assert.Equal("1", await app.Locator(".app-balance-reads").InnerTextAsync());
        var row = app.Locator($"tr[data-transfer-id='{transferId}']");
        Assert.Contains("₹2,500", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Chai Pay merchant", await row.InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "customer-connected-apps"));

        // Remove access: the consent and every token under it end at once.
        await app.Locator("button.remove-access").ClickAsync();
        await page.WaitForSelectorAsync("#status-message");
        Assert.Equal("Chai Pay no longer has access to your account.", await page.InnerTextAsync("#status-message"));
        Assert.Equal(0, await page.Locator($"section[data-client-id='{ClientId}']").CountAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await flow.TransferAsync(tokens.AccessToken, """{"amount": 1}""")).StatusCode);
    }

    private async Task NameCustomerAsync(string email, string displayName)
    {
        await using var db = factory.CreateDbContext();
        var user = await db.Users.SingleAsync(row => row.Email == email);
        user.DisplayName = displayName;
        await db.SaveChangesAsync();
    }

    private async Task<Account> OpenSettlementAccountAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>()
            .OpenAsync("Chai Pay merchant", AccountKind.Settlement, null, CancellationToken.None);
    }
}
