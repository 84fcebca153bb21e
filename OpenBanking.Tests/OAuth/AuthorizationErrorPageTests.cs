using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.OAuth;

/// <summary>Authorization failures that must not redirect: the customer gets a page in plain words.</summary>
public sealed class AuthorizationErrorPageTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task UnknownClient_ShowsUnknownApplicationPage()
    {
        var flow = new OAuthFlow(factory);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["client_id"] = "no-such-client";

        var response = await flow.AuthorizeAsync(parameters);

        await AssertErrorPageAsync(response, HttpStatusCode.BadRequest, "Unknown application", "invalid_request");
    }

    [Fact]
    public async Task UnregisteredRedirectUri_ShowsReturnAddressPage()
    {
        var flow = new OAuthFlow(factory);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), "read");
        parameters["redirect_uri"] = "https://attacker.example/callback/";

        var response = await flow.AuthorizeAsync(parameters);

        await AssertErrorPageAsync(response, HttpStatusCode.BadRequest, "Unexpected return address", "invalid_request");
    }

    [Fact]
    public async Task UnknownRequestUri_ShowsExpiredRequestPage()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);

        var response = await flow.Browser.GetAsync(QueryHelpers.AddQueryString("/o/authorize/", new Dictionary<string, string?>
        {
            ["client_id"] = OAuthFlow.DemoClientId,
            ["request_uri"] = "urn:ietf:params:oauth:request_uri:not-issued-by-this-server",
        }));

        await AssertErrorPageAsync(response, HttpStatusCode.BadRequest, "This request has expired", "invalid_token");
    }

    [Fact]
    public async Task UnknownPath_ShowsPageNotAvailable()
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.Browser.GetAsync("/o/error/404");

        await AssertErrorPageAsync(response, HttpStatusCode.NotFound, "Page not available", "http_404");
    }

    internal static async Task AssertErrorPageAsync(
        HttpResponseMessage response, HttpStatusCode status, string title, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(title, HtmlForm.ElementText(html, "oauth-error-title"));
        Assert.Equal(error, HtmlForm.ElementText(html, "oauth-error"));
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" at OpenBanking.", html, StringComparison.Ordinal);
    }
}

/// <summary>A consent page left open past the lifetime of its cached request.</summary>
public sealed class ExpiredAuthorizationRequestTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task Consent_AfterRequestExpired_ShowsExpiredPage()
    {
        var customer = await factory.CreateCustomerAsync(100m);
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(customer.Email, customer.Password);
        var page = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create(), "read"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // OpenIddict keeps a cached authorization request for one hour by default.
        factory.Clock.Advance(TimeSpan.FromHours(2));
        var response = await flow.SubmitConsentAsync(page, allow: true);

        await AuthorizationErrorPageTests.AssertErrorPageAsync(
            response, HttpStatusCode.BadRequest, "This request has expired", "invalid_token");
    }
}
