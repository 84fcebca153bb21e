using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Api;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Tests.Customer;

/// <summary>The customer's own pages: accounts with their ledger, and connected apps.</summary>
public sealed class CustomerPagesTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string AppRedirectUri = "https://payapp.example/cb";

    [Fact]
    public async Task AccountsPage_ShowsBalanceAndPagedEntries()
    {
        var customer = await factory.CreateCustomerAsync(1000m);
        var payee = await OpenSettlementAccountAsync("Corner shop");
        var clientId = await RegisterPayAppAsync(payee.Number);
        for (var index = 1; index <= 24; index++)
        {
            await TransferAsync(customer.Account.Id, payee.Id, index, clientId);
        }

        var client = factory.CreateBrowserlessClient();
        await Identity.LoginTests.LoginAsync(client, customer.Email, customer.Password);
        var first = await client.GetStringAsync("/account");
        var second = await client.GetStringAsync($"/account?account={customer.Account.Number}&pageNumber=2");

        // 1000 funded, then 1 + 2 + ... + 24 = 300 paid out.
        Assert.Equal("₹700", HtmlForm.ElementText(first, "balance"));
        Assert.Equal("Page 1 of 2 · 25 entries", HtmlForm.ElementText(first, "page-position"));
        Assert.Equal(20, CountRows(first, "ledger"));
        Assert.Contains("Pay App", HtmlForm.ElementText(first, "ledger"), StringComparison.Ordinal);
        Assert.Contains("Corner shop", HtmlForm.ElementText(first, "ledger"), StringComparison.Ordinal);
        Assert.Contains("-₹24", HtmlForm.ElementText(first, "ledger"), StringComparison.Ordinal);
        Assert.Equal("Page 2 of 2 · 25 entries", HtmlForm.ElementText(second, "page-position"));
        Assert.Equal(5, CountRows(second, "ledger"));
        Assert.Contains("+₹1,000", HtmlForm.ElementText(second, "ledger"), StringComparison.Ordinal);
        Assert.Contains("OpenBanking", HtmlForm.ElementText(second, "ledger"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountsPage_AnotherCustomersAccount_IsNotShown()
    {
        var owner = await factory.CreateCustomerAsync(500m);
        var other = await factory.CreateCustomerAsync(70m);
        var client = factory.CreateBrowserlessClient();
        await Identity.LoginTests.LoginAsync(client, other.Email, other.Password);

        var html = await client.GetStringAsync($"/account?account={owner.Account.Number}");

        Assert.Equal("₹70", HtmlForm.ElementText(html, "balance"));
        Assert.DoesNotContain(owner.Account.Number, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectedApps_ShowsActivityThenRemovesAccess()
    {
        var customer = await factory.CreateCustomerAsync(10_000m);
        var payee = await OpenSettlementAccountAsync("Pay App merchant");
        var clientId = await RegisterPayAppAsync(payee.Number);
        var flow = new OAuthFlow(factory);
        var tokens = await GetTokensAsync(flow, customer.Email, customer.Password, clientId);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.TransferAsync(tokens.AccessToken, """{"amount": 1234.5}""")).StatusCode);
        await factory.Services.GetRequiredService<ApiCallRecorder>().FlushAsync();

        var html = await flow.Browser.GetStringAsync("/account/apps");
        var app = AppSection(html, clientId);
        Assert.Contains("Pay App", app, StringComparison.Ordinal);
        Assert.Contains("payapp.example", app, StringComparison.Ordinal);
        Assert.Contains("Read your data", app, StringComparison.Ordinal);
        Assert.Contains("Initiate payments", app, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"app-balance-reads\">1</dd>", app, StringComparison.Ordinal);
        Assert.Contains("1, ₹1,234.50 in total", app, StringComparison.Ordinal);
        Assert.Contains("₹1,234.50", app, StringComparison.Ordinal);
        Assert.DoesNotContain("Not used yet", app, StringComparison.Ordinal);

        var removed = await PageForms.SubmitAsync(flow.Browser, html, new Uri(flow.Browser.BaseAddress!, "/account/apps"),
            "remove-" + clientId);

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        var refresh = await flow.RefreshAsync(tokens.RefreshToken!, clientId: clientId, clientSecret: TestClients.Secret);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        var after = await flow.Browser.GetStringAsync("/account/apps");
        Assert.DoesNotContain($"data-client-id=\"{clientId}\"", after, StringComparison.Ordinal);
        Assert.Equal("Pay App no longer has access to your account.", HtmlForm.ElementText(after, "status-message"));

        // The consent is gone too: the next request shows the consent page again.
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments");
        parameters["client_id"] = clientId;
        parameters["redirect_uri"] = AppRedirectUri;
        Assert.Equal(HttpStatusCode.OK, (await flow.AuthorizeAsync(parameters)).StatusCode);

        await using var db = factory.CreateDbContext();
        var revoked = await db.AuditEvents.SingleAsync(row => row.ClientId == clientId && row.Action == "consent.revoked");
        Assert.Equal(customer.Email, revoked.ActorName);
    }

    [Fact]
    public async Task RemoveAccess_NoAntiforgery_ChangesNothing()
    {
        var customer = await factory.CreateCustomerAsync(100m);
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync("read", customer.Email, customer.Password);

        var response = await flow.Browser.PostAsync("/account/apps?handler=Remove", new FormUrlEncodedContent(
            [KeyValuePair.Create("clientId", OAuthFlow.DemoClientId)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RemoveAccess_ForeignApp_ChangesNothing()
    {
        var owner = await factory.CreateCustomerAsync(100m);
        var ownerFlow = new OAuthFlow(factory);
        var ownerTokens = await ownerFlow.GetTokensAsync("read", owner.Email, owner.Password);
        var other = await factory.CreateCustomerAsync(100m);
        var client = factory.CreateBrowserlessClient();
        await Identity.LoginTests.LoginAsync(client, other.Email, other.Password);
        var html = await client.GetStringAsync("/account/apps");

        var response = await client.PostAsync("/account/apps?handler=Remove", new FormUrlEncodedContent(
        [
            KeyValuePair.Create("clientId", OAuthFlow.DemoClientId),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(html)),
        ]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("That application has no access to your account.",
            HtmlForm.ElementText(await client.GetStringAsync("/account/apps"), "status-message"));
        Assert.Equal(HttpStatusCode.OK, (await ownerFlow.GetBalanceAsync(ownerTokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ConnectedApps_NoGrants_SaysSo()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await Identity.LoginTests.LoginAsync(client, customer.Email, customer.Password);

        var html = await client.GetStringAsync("/account/apps");

        Assert.Equal("No application has access to your account.", HtmlForm.ElementText(html, "no-apps"));
    }

    private async Task<string> RegisterPayAppAsync(string settlementAccount)
    {
        var clientId = "pay-app-" + Guid.NewGuid().ToString("N");
        await TestClients.RegisterAsync(factory, clientId, "Pay App", AppRedirectUri, ["read", "payments"],
            homePage: "https://payapp.example/", settlementAccount: settlementAccount);

        return clientId;
    }

    private static async Task<TokenSet> GetTokensAsync(OAuthFlow flow, string email, string password, string clientId)
    {
        await flow.LoginAsync(email, password);
        var pkce = Pkce.Create();
        var parameters = OAuthFlow.AuthorizationParameters(pkce, "read payments");
        parameters["client_id"] = clientId;
        parameters["redirect_uri"] = AppRedirectUri;
        var page = await flow.AuthorizeAsync(parameters);
        var response = await flow.SubmitConsentAsync(page, allow: true);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(response.Headers.Location!.Query)["code"].ToString();
        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientId, TestClients.Secret, AppRedirectUri);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);

        return await TokenSet.ReadAsync(exchanged);
    }

    private async Task<Account> OpenSettlementAccountAsync(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>()
            .OpenAsync(name, AccountKind.Settlement, null, CancellationToken.None);
    }

    private async Task TransferAsync(long debitAccountId, long creditAccountId, decimal amount, string clientId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<LedgerService>().TransferAsync(
            new TransferRequest(debitAccountId, creditAccountId, amount, "Payment to Corner shop", clientId),
            CancellationToken.None);
        Assert.Equal(TransferOutcome.Posted, result.Outcome);
    }

    private static int CountRows(string html, string tableId)
    {
        var table = html[html.IndexOf($"id=\"{tableId}\"", StringComparison.Ordinal)..];
        var body = table[..table.IndexOf("</tbody>", StringComparison.Ordinal)];
        return body.Split("<tr").Length - 2;
    }

    private static string AppSection(string html, string clientId)
    {
        var start = html.IndexOf($"data-client-id=\"{clientId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The page does not list {clientId}.");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }
}
