using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Audit;
using OpenIddict.Abstractions;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Client authentication at the token, revocation and introspection endpoints: missing or wrong
/// secrets are 401 invalid_client, ambiguous credentials are invalid_request, secrets are stored
/// hashed, and a client can revoke or introspect only its own tokens.
/// </summary>
public sealed class ClientAuthenticationTests(ClientAuthenticationTests.Factory factory) : IClassFixture<ClientAuthenticationTests.Factory>
{
    private const string OtherClientId = "other-auth-client";
    private const string PublicClientId = "public-auth-client";

    public static TheoryData<string, HttpStatusCode, string> CredentialCases { get; } = new()
    {
        { "no secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "empty secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "wrong secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "secret with a trailing space", HttpStatusCode.Unauthorized, "invalid_client" },
        { "secret of another client", HttpStatusCode.Unauthorized, "invalid_client" },
        { "unknown client", HttpStatusCode.Unauthorized, "invalid_client" },
        { "basic with wrong secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "basic and body secret", HttpStatusCode.BadRequest, "invalid_request" },
        { "secret and client assertion", HttpStatusCode.BadRequest, "invalid_request" },
        { "public client with secret", HttpStatusCode.BadRequest, "invalid_request" },
        { "basic and another client_id in the body", HttpStatusCode.BadRequest, "invalid_request" },
        { "basic and the same client_id in the body", HttpStatusCode.OK, "" },
        { "basic with right secret", HttpStatusCode.OK, "" },
        { "body with right secret", HttpStatusCode.OK, "" },
    };

    [Theory]
    [MemberData(nameof(CredentialCases))]
    public async Task Token_ClientCredentials_AreCheckedStrictly(string credentials, HttpStatusCode status, string error)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var (clientId, secret, basic) = credentials switch
        {
            "no secret" => (OAuthFlow.DemoClientId, null, null),
            "empty secret" => (OAuthFlow.DemoClientId, "", null),
            "wrong secret" => (OAuthFlow.DemoClientId, "wrong-secret", null),
            "secret with a trailing space" => (OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret + " ", null),
            "secret of another client" => (OAuthFlow.DemoClientId, SecurityTestKit.TestSecret, null),
            "unknown client" => ("no-such-client", SecurityTestKit.TestSecret, null),
            "basic with wrong secret" => (null, null, Basic(OAuthFlow.DemoClientId, "wrong-secret")),
            "basic and body secret" => (OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret,
                Basic(OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret)),
            "public client with secret" => (PublicClientId, "any-secret", null),
            "basic and another client_id in the body" => ("ref-cc-client", null, Basic(OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret)),
            "basic and the same client_id in the body" => (OAuthFlow.DemoClientId, null, Basic(OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret)),
            "basic with right secret" => (null, null, Basic(OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret)),
            _ => (OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret, (string?)null),
        };
        var form = new Dictionary<string, string?>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.RefreshToken,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["client_assertion_type"] = credentials == "secret and client assertion"
                ? "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" : null,
            ["client_assertion"] = credentials == "secret and client assertion" ? "eyJhbGciOiJub25lIn0.e30." : null,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/o/token/")
        {
            Content = new FormUrlEncodedContent(form.Where(pair => pair.Value is not null)!),
        };
        if (basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }

        var response = await flow.App.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal(error, await response.ReadErrorAsync());
        }
    }

    [Fact]
    public async Task Token_FailedClientAuthentication_IsAuditedWithClientAndCorrelation()
    {
        var flow = new OAuthFlow(factory);

        await flow.RefreshAsync("not-a-token", clientSecret: "wrong-secret-for-audit");

        await using var db = factory.CreateDbContext();
        var audit = await db.AuditEvents.Where(entry => entry.Action == AuditActions.ClientAuthenticationFailed)
            .OrderByDescending(entry => entry.Id).FirstAsync();
        Assert.Equal(OAuthFlow.DemoClientId, audit.ClientId);
        Assert.False(string.IsNullOrEmpty(audit.CorrelationId));
        Assert.DoesNotContain("wrong-secret-for-audit", audit.Details ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_ClientSecret_IsHashed()
    {
        await using var db = factory.CreateDbContext();

        var stored = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .Where(application => application.ClientId == OAuthFlow.DemoClientId)
            .Select(application => application.ClientSecret)
            .SingleAsync();

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(OAuthFlow.DemoClientSecret, stored, StringComparison.Ordinal);
    }

    public static TheoryData<string> TokenKinds { get; } = ["access_token", "refresh_token"];

    [Theory]
    [MemberData(nameof(TokenKinds))]
    public async Task Revoke_OtherClientsToken_LeavesItWorking(string kind)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var token = kind == "access_token" ? tokens.AccessToken : tokens.RefreshToken!;

        var response = await flow.RevokeAsync(token, kind, OtherClientId, SecurityTestKit.TestSecret);

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.RefreshAsync(tokens.RefreshToken!)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TokenKinds))]
    public async Task Introspect_OwnToken_IsActiveUntilRevoked(string kind)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var token = kind == "access_token" ? tokens.AccessToken : tokens.RefreshToken!;

        var active = await IntrospectAsync(flow, token, OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret);
        await flow.RevokeAsync(tokens.AccessToken);
        var revoked = await IntrospectAsync(flow, token, OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret);

        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal(OAuthFlow.DemoClientId, active.GetProperty("client_id").GetString());
        Assert.Equal("read write payments", active.GetProperty("scope").GetString());
        Assert.False(revoked.GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(TokenKinds))]
    public async Task Introspect_OtherClientsToken_IsInactive(string kind)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var token = kind == "access_token" ? tokens.AccessToken : tokens.RefreshToken!;

        var result = await IntrospectAsync(flow, token, OtherClientId, SecurityTestKit.TestSecret);

        Assert.False(result.GetProperty("active").GetBoolean());
        Assert.False(result.TryGetProperty("scope", out _));
    }

    public static TheoryData<string?, string?, HttpStatusCode> IntrospectionCallers { get; } = new()
    {
        { OAuthFlow.DemoClientId, "wrong-secret", HttpStatusCode.Unauthorized },
        { OAuthFlow.DemoClientId, null, HttpStatusCode.Unauthorized },
        { null, null, HttpStatusCode.Unauthorized },
        { PublicClientId, null, HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(IntrospectionCallers))]
    public async Task Introspect_WithoutConfidentialClient_IsRejected(string? clientId, string? secret, HttpStatusCode status)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        var response = await flow.App.PostFormAsync("/o/introspect/", new Dictionary<string, string?>
        {
            ["token"] = tokens.AccessToken,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        });

        Assert.Equal(status, response.StatusCode);
        Assert.DoesNotContain("\"active\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<System.Text.Json.JsonElement> IntrospectAsync(OAuthFlow flow, string token, string clientId, string secret)
    {
        var response = await flow.App.PostFormAsync("/o/introspect/", new Dictionary<string, string?>
        {
            ["token"] = token,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        return await response.ReadJsonAsync();
    }

    private static string Basic(string clientId, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret)));

    public sealed class Factory : SeededFactory
    {
        protected override IEnumerable<OpenIddictApplicationDescriptor> Applications =>
        [
            SecurityTestKit.Confidential(OtherClientId, "https://other.example/callback/"),
            SecurityTestKit.Public(PublicClientId, "https://public.example/callback/"),
        ];
    }
}
