using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Tests.OAuth;

/// <summary>Rejections at /o/token/ and /o/revoke_token/: exact errors, and no token issued or revived.</summary>
public sealed class TokenEndpointTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string LoadTestClientId = "ref-cc-client";
    private const string LoadTestClientSecret = "ref-cc-secret-0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task WrongCodeVerifier_IsInvalidGrant()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);
        var accessTokensBefore = await CountAccessTokensAsync();

        var response = await flow.ExchangeCodeAsync(code, Pkce.Create().Verifier);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(accessTokensBefore, await CountAccessTokensAsync());
    }

    [Fact]
    public async Task ReusedCode_EndsFirstTokens()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);
        var first = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(code, pkce.Verifier));

        var replay = await flow.ExchangeCodeAsync(code, pkce.Verifier);

        await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(first.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RefreshAfterAccessTokenRevoked_IsInvalidGrant()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        Assert.Equal(HttpStatusCode.OK, (await flow.RevokeAsync(tokens.AccessToken)).StatusCode);

        var refresh = await flow.RefreshAsync(tokens.RefreshToken!);

        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task RevokeByAnotherClient_LeavesTokenValid()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        var response = await flow.RevokeAsync(tokens.AccessToken, clientId: LoadTestClientId, clientSecret: LoadTestClientSecret);
        var refreshResponse = await flow.RevokeAsync(tokens.RefreshToken!, clientId: LoadTestClientId, clientSecret: LoadTestClientSecret);

        // RFC 7009 section 2.2: the caller learns nothing; the owner's tokens keep working.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.RefreshAsync(tokens.RefreshToken!)).StatusCode);
    }

    [Fact]
    public async Task RevokeUnknownToken_ReturnsRevokedStatus()
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.RevokeAsync("not-a-token-anyone-issued");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("revoked", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task RevokeRefreshToken_EndsItsAccessTokens()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        Assert.Equal(HttpStatusCode.OK, (await flow.RevokeAsync(tokens.RefreshToken!, hint: "refresh_token")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        await AssertErrorAsync(await flow.RefreshAsync(tokens.RefreshToken!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task WrongClientSecret_IsInvalidClient()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var response = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientSecret: "wrong-secret");

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        // The code survives a request that failed client authentication.
        Assert.Equal(HttpStatusCode.OK, (await flow.ExchangeCodeAsync(code, pkce.Verifier)).StatusCode);
    }

    [Fact]
    public async Task MismatchedRedirectUri_IsInvalidGrant()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var response = await flow.ExchangeCodeAsync(code, pkce.Verifier, redirectUri: "http://localhost/callback/");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task BasicAuthentication_IsAccepted()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);
        var request = new HttpRequestMessage(HttpMethod.Post, "/o/token/")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = OAuthFlow.DemoRedirectUri,
                ["code_verifier"] = pkce.Verifier,
            }),
        };
        var credentials = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $"{OAuthFlow.DemoClientId}:{OAuthFlow.DemoClientSecret}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", credentials);

        var response = await flow.App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("read write payments", (await TokenSet.ReadAsync(response)).Scope);
    }

    [Fact]
    public async Task ClientCredentials_IssuesReadTokenWithoutRefreshToken()
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.PostTokenAsync(new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = LoadTestClientId,
            ["client_secret"] = LoadTestClientSecret,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await TokenSet.ReadAsync(response);
        Assert.Equal("read", tokens.Scope);
        Assert.Null(tokens.RefreshToken);
    }

    private async Task<int> CountAccessTokensAsync()
    {
        await using var db = factory.CreateDbContext();
        return await db.Set<OpenIddictEntityFrameworkCoreToken>().CountAsync(token => token.Type == "access_token");
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(error, json.GetProperty("error").GetString());
    }
}
