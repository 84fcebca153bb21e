using System.Net;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.OAuth;

/// <summary>Rejections at /o/authorize/: what redirects to the application and what never does.</summary>
public sealed class AuthorizeEndpointTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Theory]
    [InlineData("plain")]
    [InlineData("missing")]
    [InlineData("S512")]
    public async Task ChallengeOtherThanS256_ShowsInvalidRequestWithoutCode(string variant)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        if (variant == "missing")
        {
            parameters.Remove("code_challenge");
            parameters.Remove("code_challenge_method");
        }
        else
        {
            parameters["code_challenge_method"] = variant;
        }

        var response = await flow.AuthorizeAsync(parameters);

        // OpenIddict checks PKCE before it has validated the redirect URI, so the error is shown
        // on the server's own page and nothing is sent to the application.
        await AssertErrorPageAsync(response, "invalid_request");
    }

    [Fact]
    public async Task UnknownClient_ShowsErrorPageWithoutRedirect()
    {
        var flow = new OAuthFlow(factory);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["client_id"] = "no-such-client";

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Unknown application", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000/callback")]
    [InlineData("http://127.0.0.1:8000/callback/evil")]
    [InlineData("https://attacker.example/callback/")]
    public async Task UnregisteredRedirectUri_ShowsErrorPageWithoutRedirect(string redirectUri)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["redirect_uri"] = redirectUri;

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Unexpected return address", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deny_RedirectsAccessDeniedWithState()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, _) = await factory.CreateCustomerAsync(100m);
        await flow.LoginAsync(email, password);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        var consent = await flow.AuthorizeAsync(parameters);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);

        var query = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(consent, allow: false));

        Assert.Equal("access_denied", query["error"]);
        Assert.Equal(parameters["state"], query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Theory]
    [InlineData("read admin")]
    [InlineData("read profile")]
    [InlineData("openid read")]
    [InlineData("read offline_access")]
    public async Task ScopeNotRegistered_IsInvalidScope(string scope)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), scope);

        var response = await flow.AuthorizeAsync(parameters);

        await AssertErrorPageAsync(response, "invalid_scope");
    }

    [Fact]
    public async Task NotLoggedIn_RedirectsToLoginPage()
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.AuthorizeAsync(OAuthFlow.AuthorizationParameters(Pkce.Create()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    private static async Task AssertErrorPageAsync(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<code id=\"oauth-error\">{error}</code>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", html, StringComparison.Ordinal);
    }
}
