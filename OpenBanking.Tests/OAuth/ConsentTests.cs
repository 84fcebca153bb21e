using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.OAuth;

/// <summary>The consent page: partial grants, remembered consent, prompt values and tampered forms.</summary>
public sealed class ConsentTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task PartialConsent_TokenCarriesOnlyGrantedScopes()
    {
        var (flow, _) = await SignedInCustomerAsync();
        var pkce = Pkce.Create();
        var parameters = OAuthFlow.AuthorizationParameters(pkce, "read payments");

        var page = await flow.AuthorizeAsync(parameters);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var callback = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true, grantedScopes: ["read"]));
        var exchanged = await flow.ExchangeCodeAsync(callback["code"]!, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var tokens = await TokenSet.ReadAsync(exchanged);

        Assert.Equal("read", tokens.Scope);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        var transfer = await flow.TransferAsync(tokens.AccessToken, """{"amount": 10}""");
        Assert.Equal(HttpStatusCode.Forbidden, transfer.StatusCode);
        Assert.Contains("insufficient_scope", transfer.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartialConsent_RefreshKeepsOnlyGrantedScopes()
    {
        var (flow, _) = await SignedInCustomerAsync();
        var pkce = Pkce.Create();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(pkce, "read write payments"));
        var callback = OAuthFlow.RedirectQuery(
            await flow.SubmitConsentAsync(page, allow: true, grantedScopes: ["read", "write"]));
        var tokens = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(callback["code"]!, pkce.Verifier));

        var refreshed = await TokenSet.ReadAsync(await flow.RefreshAsync(tokens.RefreshToken!));

        Assert.Equal("read write", tokens.Scope);
        Assert.Equal("read write", refreshed.Scope);
        Assert.Equal(HttpStatusCode.Forbidden, (await flow.TransferAsync(refreshed.AccessToken, """{"amount": 10}""")).StatusCode);
    }

    [Fact]
    public async Task RememberedConsent_SkipsPage()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read payments");

        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments");
        var second = await flow.AuthorizeAsync(parameters);

        var query = OAuthFlow.RedirectQuery(second);
        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.Equal(parameters["state"], query["state"]);
    }

    [Fact]
    public async Task RememberedConsent_SubsetOfScopes_SkipsPage()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read write payments");

        var pkce = Pkce.Create();
        var query = OAuthFlow.RedirectQuery(await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(pkce, "read")));
        var tokens = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(query["code"]!, pkce.Verifier));

        Assert.Equal("read", tokens.Scope);
    }

    [Fact]
    public async Task LaterPartialConsent_ReplacesEarlierConsent()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read write payments");
        var forced = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read write payments");
        forced["prompt"] = "consent";
        var page = await flow.AuthorizeAsync(forced);
        OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true, grantedScopes: ["read"]));

        var plain = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read write payments"));

        // The customer unticked payments last time: the page asks again instead of granting it.
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("consent-form", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaterDeny_ForgetsEarlierConsent()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read payments");
        var forced = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments");
        forced["prompt"] = "consent";
        var page = await flow.AuthorizeAsync(forced);
        var denied = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: false));
        Assert.Equal("access_denied", denied["error"]);

        var plain = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments"));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("consent-form", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxAgeZero_AsksForSignInAgain()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read");
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["max_age"] = "0";

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RememberedConsent_NewScope_ShowsPageAgain()
    {
        var (flow, _) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments"));
        OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true, grantedScopes: ["read"]));

        var again = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("id=\"consent-scopes\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptConsent_ShowsPageDespiteRememberedConsent()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read");
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["prompt"] = "consent";

        var page = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"consent-scopes\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var query = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true));
        Assert.False(string.IsNullOrEmpty(query["code"]));
    }

    [Fact]
    public async Task PromptNone_WithoutConsent_ReturnsConsentRequired()
    {
        var (flow, _) = await SignedInCustomerAsync();
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["prompt"] = "none";

        var response = await flow.AuthorizeAsync(parameters);

        var query = OAuthFlow.RedirectQuery(response);
        Assert.Equal("consent_required", query["error"]);
        Assert.Equal(parameters["state"], query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task PromptNone_WithConsent_ReturnsCode()
    {
        var (flow, _) = await SignedInCustomerAsync();
        await GrantAsync(flow, "read");
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["prompt"] = "none";

        var query = OAuthFlow.RedirectQuery(await flow.AuthorizeAsync(parameters));

        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.False(query.ContainsKey("error"));
    }

    [Fact]
    public async Task PromptNone_SignedOut_ReturnsLoginRequired()
    {
        var flow = new OAuthFlow(factory);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["prompt"] = "none";

        var query = OAuthFlow.RedirectQuery(await flow.AuthorizeAsync(parameters));

        Assert.Equal("login_required", query["error"]);
    }

    [Fact]
    public async Task Deny_RedirectsAccessDeniedAndRemembersNothing()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        var page = await flow.AuthorizeAsync(parameters);

        var query = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: false));

        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(parameters["state"], query["state"]);
        Assert.Equal(0, await CountConsentsAsync(userId));
        Assert.Equal(1, await CountAuditAsync(userId, "consent.denied"));
    }

    [Fact]
    public async Task Allow_NothingTicked_RedirectsAccessDenied()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var query = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true, grantedScopes: []));

        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(0, await CountConsentsAsync(userId));
    }

    [Fact]
    public async Task Allow_RecordsConsentInAuditLog()
    {
        var (flow, userId) = await SignedInCustomerAsync();

        await GrantAsync(flow, "read payments");

        await using var db = factory.CreateDbContext();
        var granted = await db.AuditEvents.SingleAsync(row => row.ActorId == userId && row.Action == "consent.granted");
        Assert.Equal(OAuthFlow.DemoClientId, granted.ClientId);
        Assert.Equal("read payments", granted.Details);
    }

    [Fact]
    public async Task TamperedForm_ForeignScope_Rejected()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var response = await flow.SubmitConsentAsync(page, allow: true, grantedScopes: ["read", "payments"]);

        await AssertChangedFormRejectedAsync(response, userId);
    }

    [Fact]
    public async Task TamperedForm_SwappedRequestUri_Rejected()
    {
        // Two pending requests in one session: the page of the first, posted with the request_uri of the second.
        var (flow, userId) = await SignedInCustomerAsync();
        var shown = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));
        var other = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments"));
        var otherRequestUri = RequestUriOf(other);

        var response = await flow.SubmitConsentAsync(shown, allow: true, grantedScopes: ["read"],
            tamper: fields => Replace(fields, "request_uri", otherRequestUri));

        await AssertChangedFormRejectedAsync(response, userId);
    }

    [Fact]
    public async Task TamperedDeny_SwappedRequestUri_Rejected()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var shown = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));
        var other = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "payments"));

        var response = await flow.SubmitConsentAsync(shown, allow: false,
            tamper: fields => Replace(fields, "request_uri", RequestUriOf(other)));

        await AssertChangedFormRejectedAsync(response, userId);
    }

    [Fact]
    public async Task TamperedForm_OtherClientId_Rejected()
    {
        await TestClients.RegisterAsync(factory, "consent-other-client", "Other app", "https://other.example/cb", ["read"]);
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var response = await flow.SubmitConsentAsync(page, allow: true,
            tamper: fields => Replace(fields, "client_id", "consent-other-client"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("id=\"oauth-error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await CountConsentsAsync(userId));
    }

    [Fact]
    public async Task TamperedForm_AddedRedirectUri_Rejected()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var response = await flow.SubmitConsentAsync(page, allow: true,
            tamper: fields => fields.Add(KeyValuePair.Create("redirect_uri", "https://attacker.example/cb")));

        Assert.DoesNotContain("attacker.example", response.Headers.Location?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountConsentsAsync(userId));
    }

    [Fact]
    public async Task TamperedForm_MissingBinding_Rejected()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var response = await flow.SubmitConsentAsync(page, allow: true,
            tamper: fields => fields.RemoveAll(field => field.Key == "consent_binding"));

        await AssertChangedFormRejectedAsync(response, userId);
    }

    [Fact]
    public async Task TamperedForm_NoAntiforgery_Rejected()
    {
        var (flow, userId) = await SignedInCustomerAsync();
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));

        var response = await flow.SubmitConsentAsync(page, allow: true,
            tamper: fields => fields.RemoveAll(field => field.Key == "__RequestVerificationToken"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_consent_form", HtmlForm.ElementText(await response.Content.ReadAsStringAsync(), "oauth-error"));
        Assert.Equal(0, await CountConsentsAsync(userId));
    }

    [Fact]
    public async Task TamperedForm_OtherCustomersForm_Rejected()
    {
        // A consent page rendered for one customer, submitted in another customer's session.
        var (first, _) = await SignedInCustomerAsync();
        var page = await first.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));
        var (second, secondId) = await SignedInCustomerAsync();
        var html = await page.Content.ReadAsStringAsync();
        var fields = HtmlForm.ReadFormInputs(html, "consent-form");
        var ownPage = await second.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));
        Replace(fields, "__RequestVerificationToken",
            HtmlForm.ReadFormInputs(await ownPage.Content.ReadAsStringAsync(), "consent-form")
                .First(field => field.Key == "__RequestVerificationToken").Value);
        fields.Add(KeyValuePair.Create("submit.allow", "yes"));

        var response = await second.Browser.PostAsync("/o/authorize/", new FormUrlEncodedContent(fields));

        await AssertChangedFormRejectedAsync(response, secondId);
    }

    [Fact]
    public async Task ConsentPage_ShowsAppAccountAndScopes()
    {
        await TestClients.RegisterAsync(factory, "consent-home-client", "Budget Buddy", "https://budget.example/cb",
            ["read", "payments"], homePage: "https://budget.example/");
        var customer = await factory.CreateCustomerAsync(100m);
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(customer.Email, customer.Password);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read payments");
        parameters["client_id"] = "consent-home-client";
        parameters["redirect_uri"] = "https://budget.example/cb";

        var page = await flow.AuthorizeAsync(parameters);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("Budget Buddy wants to access your account", HtmlForm.ElementText(html, "consent-title"));
        Assert.Equal("https://budget.example/", HtmlForm.ElementText(html, "consent-home-page"));
        Assert.Equal($"Current · {customer.Account.Number}", HtmlForm.ElementText(html, "consent-account"));
        Assert.Equal("Read your data See your account balance and details.",
            Normalize(HtmlForm.ElementText(html, "scope-label-read")));
        Assert.Equal("Initiate payments Moves money Move money out of your account.",
            Normalize(HtmlForm.ElementText(html, "scope-label-payments")));
    }

    [Fact]
    public async Task ConsentPage_UnsafeHomePage_IsNotLinked()
    {
        await TestClients.RegisterAsync(factory, "consent-script-client", "Script app", "https://script.example/cb",
            ["read"], homePage: "javascript:alert(1)");
        var (flow, _) = await SignedInCustomerAsync();
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["client_id"] = "consent-script-client";
        parameters["redirect_uri"] = "https://script.example/cb";

        var html = await (await flow.AuthorizeAsync(parameters)).Content.ReadAsStringAsync();

        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("id=\"consent-home-page-missing\"", html, StringComparison.Ordinal);
    }

    private async Task<(OAuthFlow Flow, string UserId)> SignedInCustomerAsync()
    {
        var customer = await factory.CreateCustomerAsync(1000m);
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(customer.Email, customer.Password);
        await using var db = factory.CreateDbContext();
        var userId = await db.Users.Where(user => user.Email == customer.Email).Select(user => user.Id).SingleAsync();

        return (flow, userId);
    }

    private static async Task GrantAsync(OAuthFlow flow, string scope)
    {
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), scope));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(page, allow: true));
    }

    private async Task AssertChangedFormRejectedAsync(HttpResponseMessage response, string userId)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("invalid_consent_form", HtmlForm.ElementText(html, "oauth-error"));
        Assert.Equal("This page has expired", HtmlForm.ElementText(html, "oauth-error-title"));
        Assert.Equal(0, await CountConsentsAsync(userId));
        Assert.Equal(1, await CountAuditAsync(userId, "consent.rejected"));
    }

    private static string RequestUriOf(HttpResponseMessage consentPage) =>
        QueryHelpers.ParseQuery(consentPage.RequestMessage!.RequestUri!.Query)["request_uri"].ToString();

    private static void Replace(List<KeyValuePair<string, string>> fields, string name, string value)
    {
        Assert.Equal(1, fields.RemoveAll(field => field.Key == name));
        fields.Add(KeyValuePair.Create(name, value));
    }

    private static string Normalize(string text) =>
        string.Join(' ', text.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private async Task<int> CountConsentsAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var count = 0;
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId))
        {
            if (await authorizations.HasTypeAsync(authorization, AuthorizationTypes.Permanent))
            {
                count++;
            }
        }

        return count;
    }

    private async Task<int> CountAuditAsync(string userId, string action)
    {
        await using var db = factory.CreateDbContext();
        return await db.AuditEvents.CountAsync(row => row.ActorId == userId && row.Action == action);
    }
}
