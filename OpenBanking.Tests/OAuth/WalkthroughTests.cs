using System.Net;
using System.Text.Json;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.OAuth;

/// <summary>The README walkthrough, step by step, against the seeded Development data.</summary>
public sealed class WalkthroughTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task Walkthrough_GivesContractResponses()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();

        // Authorize: the customer is sent to the login page first.
        var parameters = OAuthFlow.AuthorizationParameters(pkce, scope: null);
        var start = await flow.Browser.GetAsync(
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/o/authorize/", parameters));
        var loginRedirect = await FollowUntilLoginAsync(flow, start);
        Assert.StartsWith("/Identity/Account/Login", loginRedirect.PathAndQuery, StringComparison.Ordinal);

        // Log in with the form and its antiforgery token, then come back to the authorization request.
        var loginPage = await flow.Browser.GetStringAsync(loginRedirect);
        var loggedIn = await flow.Browser.PostAsync(loginRedirect, new FormUrlEncodedContent(
        [
            KeyValuePair.Create("Input.Email", OAuthFlow.CustomerEmail),
            KeyValuePair.Create("Input.Password", OAuthFlow.CustomerPassword),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(loginPage)),
        ]));
        Assert.Equal(HttpStatusCode.Redirect, loggedIn.StatusCode);
        Assert.StartsWith("/o/authorize/", loggedIn.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // The consent page names the application and lists every registered scope in words.
        var consent = await flow.Browser.GetAsync(loggedIn.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var consentHtml = await consent.Content.ReadAsStringAsync();
        Assert.Contains("OpenBanking Demo wants to access your account", consentHtml, StringComparison.Ordinal);
        Assert.Contains("Read your data", consentHtml, StringComparison.Ordinal);
        Assert.Contains("Modify your data", consentHtml, StringComparison.Ordinal);
        Assert.Contains("Initiate payments", consentHtml, StringComparison.Ordinal);

        var callback = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(consent, allow: true));
        Assert.Equal(parameters["state"], callback["state"]);
        var code = callback["code"]!;

        // Code for tokens.
        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var tokens = await TokenSet.ReadAsync(exchanged);
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(3600, tokens.ExpiresIn);
        Assert.Equal("read write payments", tokens.Scope);
        Assert.NotNull(tokens.RefreshToken);

        // Balance, transfer, balance.
        Assert.Equal("₹1,00,000", await ReadBalanceAsync(flow, tokens.AccessToken));
        var transfer = await flow.TransferAsync(tokens.AccessToken, """{"amount": 5000}""");
        Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        var transferJson = JsonDocument.Parse(await transfer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("₹5000 transferred successfully!", transferJson.GetProperty("message").GetString());
        Assert.Equal("₹95,000", await ReadBalanceAsync(flow, tokens.AccessToken));

        // Refresh rotates: the new refresh token works, the old one no longer does.
        var refreshed = await flow.RefreshAsync(tokens.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var rotated = await TokenSet.ReadAsync(refreshed);
        Assert.NotEqual(tokens.RefreshToken, rotated.RefreshToken);
        Assert.Equal("read write payments", rotated.Scope);

        // Presenting the used refresh token again is treated as theft: the whole grant ends.
        var reused = await flow.RefreshAsync(tokens.RefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal("invalid_grant", await ReadErrorAsync(reused));
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(rotated.AccessToken)).StatusCode);

        // A new authorization skips the consent page, which remembers the grant.
        var secondPkce = Pkce.Create();
        var secondParameters = OAuthFlow.AuthorizationParameters(secondPkce, scope: null);
        var secondCallback = OAuthFlow.RedirectQuery(await flow.AuthorizeAsync(secondParameters));
        var second = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(secondCallback["code"]!, secondPkce.Verifier));
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(second.AccessToken)).StatusCode);

        // Revoke: the body is {"status": "revoked"}, the API returns 401 at once, and the
        // refresh token issued with the access token ends too.
        var revoked = await flow.RevokeAsync(second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var revokedJson = JsonDocument.Parse(await revoked.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("revoked", revokedJson.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(second.AccessToken)).StatusCode);
        var refreshAfterRevoke = await flow.RefreshAsync(second.RefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, refreshAfterRevoke.StatusCode);
        Assert.Equal("invalid_grant", await ReadErrorAsync(refreshAfterRevoke));
    }

    private static async Task<Uri> FollowUntilLoginAsync(OAuthFlow flow, HttpResponseMessage response)
    {
        while (response.StatusCode == HttpStatusCode.Redirect)
        {
            var location = response.Headers.Location!;
            var relative = location.IsAbsoluteUri ? new Uri(location.PathAndQuery, UriKind.Relative) : location;
            if (relative.OriginalString.StartsWith("/Identity/Account/Login", StringComparison.Ordinal))
            {
                return new Uri(flow.Browser.BaseAddress!, relative);
            }

            response = await flow.Browser.GetAsync(relative);
        }

        throw new InvalidOperationException($"Expected a redirect to the login page, got {(int)response.StatusCode}.");
    }

    private static async Task<string?> ReadBalanceAsync(OAuthFlow flow, string accessToken)
    {
        var response = await flow.GetBalanceAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("INR", json.GetProperty("currency").GetString());
        return json.GetProperty("balance").GetString();
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
}
