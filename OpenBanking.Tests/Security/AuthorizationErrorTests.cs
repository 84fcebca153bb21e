using System.Net;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Errors that must not redirect (RFC 6749 section 4.1.2.1): an unknown client, an unregistered
/// redirect URI or a tampered consent submission never send the browser to the URI in the
/// request. Unsupported response types never put a token or code in a URL.
/// </summary>
public sealed class AuthorizationErrorTests(AuthorizationErrorTests.Factory factory) : IClassFixture<AuthorizationErrorTests.Factory>
{
    private const string OtherClientId = "other-consent-client";
    private const string OtherRedirectUri = "https://other.example/callback/";
    private const string EvilUri = "https://evil.example/callback/";

    public static TheoryData<string, string?, string?> UnknownClientCases { get; } = new()
    {
        { "no-such-client", EvilUri, null },
        { "no-such-client", OAuthFlow.DemoRedirectUri, null },
        { "no-such-client", EvilUri, "none" },
        { "no-such-client", null, null },
        { "REF-WEB-CLIENT", OAuthFlow.DemoRedirectUri, null },
        { "ref-web-client ", OAuthFlow.DemoRedirectUri, null },
        { "", EvilUri, null },
        { OAuthFlow.DemoClientId, EvilUri, null },
        { OAuthFlow.DemoClientId, EvilUri, "none" },
        { OAuthFlow.DemoClientId, OtherRedirectUri, "none" },
    };

    [Theory]
    [MemberData(nameof(UnknownClientCases))]
    public async Task Authorize_UntrustedClientOrRedirect_ShowsErrorPage(string clientId, string? redirectUri, string? prompt)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["client_id"] = clientId;
        parameters["redirect_uri"] = redirectUri;
        parameters["prompt"] = prompt;

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.NotNull(await response.ReadErrorPageCodeAsync());
    }

    // A submission whose request_uri or client_id was changed or removed, or that carries
    // parameters the page did not show, is refused on the error page and redirects nowhere.
    public static TheoryData<string, HttpStatusCode> Tamperings { get; } = new()
    {
        { "request_uri:random", HttpStatusCode.BadRequest },
        { "request_uri:removed", HttpStatusCode.BadRequest },
        { "request_uri:other-client", HttpStatusCode.BadRequest },
        { "client_id:other", HttpStatusCode.BadRequest },
        { "client_id:removed", HttpStatusCode.BadRequest },
        { "redirect_uri:added", HttpStatusCode.BadRequest },
        { "response_type:token", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Consent_TamperedSubmission_NeverRedirectsElsewhere(string tampering, HttpStatusCode expected)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var otherRequestUri = tampering == "request_uri:other-client" ? await GetOtherClientRequestUriAsync(flow) : null;
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["prompt"] = "consent";
        var consent = await flow.AuthorizeAsync(parameters);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);

        var response = await flow.SubmitConsentAsync(consent, allow: true, tamper: fields => Tamper(fields, tampering, otherRequestUri));

        Assert.Equal(expected, response.StatusCode);
        var location = response.Headers.Location?.OriginalString;
        if (expected == HttpStatusCode.Redirect)
        {
            var query = SecurityTestKit.ReadRedirect(response, OAuthFlow.DemoRedirectUri);
            Assert.Equal(parameters["state"], query["state"]);
        }
        else
        {
            Assert.Null(location);
            Assert.NotNull(await response.ReadErrorPageCodeAsync());
        }
    }

    public static TheoryData<string, string?> UnsupportedResponseTypes { get; } = new()
    {
        { "token", null },
        { "id_token", null },
        { "token", "fragment" },
        { "code token", null },
        { "code id_token", null },
        { "code id_token token", null },
        { "id_token token", "query" },
        { "none", null },
        { "Code", null },
        { "", null },
    };

    [Theory]
    [MemberData(nameof(UnsupportedResponseTypes))]
    public async Task Authorize_UnsupportedResponseType_PutsNoTokenInAnyUrl(string responseType, string? responseMode)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["response_type"] = responseType;
        parameters["response_mode"] = responseMode;
        parameters["nonce"] = "nonce-1";

        var response = await flow.AuthorizeAsync(parameters);

        var location = response.Headers.Location?.OriginalString;
        Assert.True(location is null || location.StartsWith(OAuthFlow.DemoRedirectUri, StringComparison.Ordinal), location);
        foreach (var leaked in new[] { "access_token", "id_token=", "code=", "refresh_token" })
        {
            Assert.DoesNotContain(leaked, location ?? string.Empty, StringComparison.Ordinal);
        }

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string> UnregisteredScopes { get; } =
        ["read profile", "email", "read admin", "payments superuser", "READ"];

    [Theory]
    [MemberData(nameof(UnregisteredScopes))]
    public async Task Authorize_UnregisteredScope_IsInvalidScope(string scope)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create(), scope);

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_scope", await response.ReadErrorPageCodeAsync());
    }

    public static TheoryData<string> UnregisteredClientCredentialsScopes { get; } = ["payments", "read write", "profile", "admin"];

    [Theory]
    [MemberData(nameof(UnregisteredClientCredentialsScopes))]
    public async Task Token_ClientCredentialsWithUnregisteredScope_IsInvalidScope(string scope)
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.PostTokenAsync(new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "ref-cc-client",
            ["client_secret"] = "ref-cc-secret-0123456789abcdef0123456789abcdef",
            ["scope"] = scope,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", await response.ReadErrorAsync());
    }

    private static void Tamper(List<KeyValuePair<string, string>> fields, string tampering, string? otherRequestUri)
    {
        var (name, change) = (tampering.Split(':')[0], tampering.Split(':')[1]);
        var current = fields.FirstOrDefault(field => field.Key == name);
        fields.RemoveAll(field => field.Key == name);
        var value = (name, change) switch
        {
            ("request_uri", "random") => "urn:ietf:params:oauth:request_uri:" + Guid.NewGuid().ToString("N"),
            ("request_uri", "other-client") => otherRequestUri,
            ("client_id", "other") => OtherClientId,
            ("redirect_uri", "added") => EvilUri,
            ("response_type", "token") => "token",
            _ => null,
        };
        if (value is not null)
        {
            fields.Add(KeyValuePair.Create(name, value));
        }

        Assert.True(current.Key is not null || change is "added" or "token", $"The consent form has no '{name}' field.");
    }

    // The cached request_uri of a pending authorization request of another client.
    private static async Task<string> GetOtherClientRequestUriAsync(OAuthFlow flow)
    {
        var parameters = SecurityTestKit.AuthorizationParameters(OtherClientId, OtherRedirectUri, Pkce.Create());
        parameters["prompt"] = "consent";
        var consent = await flow.AuthorizeAsync(parameters);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var fields = HtmlForm.ReadInputs(await consent.Content.ReadAsStringAsync());

        return fields.First(field => field.Key == "request_uri").Value;
    }

    public sealed class Factory : SeededFactory
    {
        protected override IEnumerable<OpenIddictApplicationDescriptor> Applications =>
            [SecurityTestKit.Confidential(OtherClientId, OtherRedirectUri)];
    }
}
