using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Discovery advertises exactly what the server does, and authorization responses carry iss
/// (RFC 9207). Pushed authorization requests (RFC 9126), private_key_jwt (RFC 7523) and the
/// per-application FAPI 2.0 profile work and are enforced.
/// </summary>
public sealed class StandardsTests(StandardsTests.Factory factory) : IClassFixture<StandardsTests.Factory>
{
    private const string ParClientId = "par-client";
    private const string ParRequiredClientId = "par-required-client";
    private const string KeyClientId = "key-client";
    private const string KeyUrlClientId = "key-url-client";
    private const string FapiClientId = "fapi-client";
    private const string RedirectUri = "https://app.example/callback/";

    [Fact]
    public async Task Discovery_AdvertisesExactlyWhatTheServerDoes()
    {
        var client = factory.CreateBrowserlessClient();

        var openId = await (await client.GetAsync("/.well-known/openid-configuration")).ReadJsonAsync();
        var oauth = await (await client.GetAsync("/.well-known/oauth-authorization-server")).ReadJsonAsync();

        Assert.Equal(openId.ToString(), oauth.ToString());
        Assert.Equal("http://localhost/", openId.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/o/introspect/", openId.GetProperty("introspection_endpoint").GetString());
        Assert.Equal("http://localhost/o/par/", openId.GetProperty("pushed_authorization_request_endpoint").GetString());
        Assert.True(openId.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.False(openId.GetProperty("require_pushed_authorization_requests").GetBoolean());
        Assert.Equal(["S256"], Strings(openId, "code_challenge_methods_supported"));
        Assert.Equal(["code"], Strings(openId, "response_types_supported"));
        Assert.Equal(["consent", "none"], Strings(openId, "prompt_values_supported"));
        Assert.Equal(["authorization_code", "client_credentials", "refresh_token"], Strings(openId, "grant_types_supported"));
        Assert.Equal(["fragment", "query"], Strings(openId, "response_modes_supported"));
        foreach (var endpoint in new[] { "token", "introspection", "revocation", "pushed_authorization_request" })
        {
            Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"],
                Strings(openId, endpoint + "_endpoint_auth_methods_supported"));
        }
    }

    public static TheoryData<string> ResponseModes { get; } = ["query", "fragment"];

    [Theory]
    [MemberData(nameof(ResponseModes))]
    public async Task Authorize_AdvertisedResponseMode_DeliversCodeAndIssuer(string responseMode)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["response_mode"] = responseMode;

        var response = await flow.AuthorizeAsync(parameters);
        if (response.StatusCode == HttpStatusCode.OK && !(await response.Content.ReadAsStringAsync()).Contains(OAuthFlow.DemoRedirectUri, StringComparison.Ordinal))
        {
            response = await flow.SubmitConsentAsync(response, allow: true);
        }

        var delivered = response.Headers.Location!.OriginalString;
        Assert.Contains(responseMode == "fragment" ? OAuthFlow.DemoRedirectUri + "#" : OAuthFlow.DemoRedirectUri, delivered,
            StringComparison.Ordinal);
        Assert.Contains("code", delivered, StringComparison.Ordinal);
        Assert.Contains("http://localhost/", Uri.UnescapeDataString(delivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_FormPostResponseMode_IsRejectedWithoutCode()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["response_mode"] = "form_post";

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.DoesNotContain("code=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string> UnsupportedPrompts { get; } = ["login", "select_account", "create", "none consent"];

    [Theory]
    [MemberData(nameof(UnsupportedPrompts))]
    public async Task Authorize_UnadvertisedPrompt_IsInvalidRequest(string prompt)
    {
        var flow = new OAuthFlow(factory);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["prompt"] = prompt;

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorPageCodeAsync());
    }

    public static TheoryData<bool> Outcomes { get; } = [true, false];

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Authorize_Response_CarriesIssuer(bool allow)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["prompt"] = "consent";
        var consent = await flow.AuthorizeAsync(parameters);

        var query = OAuthFlow.RedirectQuery(await flow.SubmitConsentAsync(consent, allow));

        Assert.Equal("http://localhost/", query["iss"]);
        Assert.Equal(allow ? null : "access_denied", query.GetValueOrDefault("error"));
    }

    [Fact]
    public async Task Par_PushedRequest_CompletesTheFlow()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();

        var pushed = await PushAsync(flow, ParClientId, pkce, Secret(ParClientId));
        var code = await AuthorizeWithRequestUriAsync(flow, ParClientId, pushed);
        var tokens = await ExchangeAsync(flow, ParClientId, code, pkce, Secret(ParClientId));

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    [Fact]
    public async Task Par_RequestUri_IsSingleUseAndClientBound()
    {
        var flow = new OAuthFlow(factory);
        var pushed = await PushAsync(flow, ParClientId, Pkce.Create(), Secret(ParClientId));
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);

        var otherClient = await flow.Browser.GetAsync(QueryHelpers.AddQueryString("/o/authorize/",
            new Dictionary<string, string?> { ["client_id"] = ParRequiredClientId, ["request_uri"] = pushed }));
        await AuthorizeWithRequestUriAsync(flow, ParClientId, pushed);
        var second = await flow.Browser.GetAsync(QueryHelpers.AddQueryString("/o/authorize/",
            new Dictionary<string, string?> { ["client_id"] = ParClientId, ["request_uri"] = pushed }));

        Assert.Equal(HttpStatusCode.BadRequest, otherClient.StatusCode);
        Assert.Null(otherClient.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Null(second.Headers.Location);
    }

    public static TheoryData<string, HttpStatusCode, string> RejectedPushes { get; } = new()
    {
        { "no client authentication", HttpStatusCode.Unauthorized, "invalid_client" },
        { "wrong secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "unregistered redirect", HttpStatusCode.BadRequest, "invalid_request" },
        { "plain pkce", HttpStatusCode.BadRequest, "invalid_request" },
        { "no pkce", HttpStatusCode.BadRequest, "invalid_request" },
        { "unregistered scope", HttpStatusCode.BadRequest, "invalid_scope" },
        { "repeated parameter", HttpStatusCode.BadRequest, "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(RejectedPushes))]
    public async Task Par_InvalidPush_IsRejected(string problem, HttpStatusCode status, string error)
    {
        var flow = new OAuthFlow(factory);
        var form = PushForm(ParClientId, Pkce.Create(), Secret(ParClientId)).ToList();
        void Set(string name, string? value)
        {
            form.RemoveAll(pair => pair.Key == name);
            form.Add(KeyValuePair.Create(name, value));
        }

        switch (problem)
        {
            case "no client authentication": Set("client_secret", null); break;
            case "wrong secret": Set("client_secret", "wrong"); break;
            case "unregistered redirect": Set("redirect_uri", "https://evil.example/callback/"); break;
            case "plain pkce": Set("code_challenge_method", "plain"); break;
            case "no pkce": Set("code_challenge", null); Set("code_challenge_method", null); break;
            case "unregistered scope": Set("scope", "read profile"); break;
            default: form.Add(KeyValuePair.Create("scope", (string?)"read")); break;
        }

        var response = await flow.App.PostFormAsync("/o/par/", form);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, await response.ReadErrorAsync());
    }

    [Fact]
    public async Task RequirePar_DirectRequest_IsRejected()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var pkce = Pkce.Create();

        var direct = await flow.AuthorizeAsync(SecurityTestKit.AuthorizationParameters(ParRequiredClientId, RedirectUri, pkce));
        var pushed = await PushAsync(flow, ParRequiredClientId, pkce, Secret(ParRequiredClientId));
        var code = await AuthorizeWithRequestUriAsync(flow, ParRequiredClientId, pushed);

        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.Null(direct.Headers.Location);
        Assert.Equal("invalid_request", await direct.ReadErrorPageCodeAsync());
        Assert.Equal(HttpStatusCode.OK, (await ExchangeAsync(flow, ParRequiredClientId, code, pkce, Secret(ParRequiredClientId))).StatusCode);
    }

    public static TheoryData<string, string, HttpStatusCode> Assertions { get; } = new()
    {
        { KeyClientId, "valid", HttpStatusCode.OK },
        { KeyUrlClientId, "valid", HttpStatusCode.OK },
        { KeyClientId, "signed by another key", HttpStatusCode.Unauthorized },
        { KeyClientId, "expired", HttpStatusCode.Unauthorized },
        { KeyClientId, "wrong audience", HttpStatusCode.Unauthorized },
        { KeyClientId, "subject is another client", HttpStatusCode.Unauthorized },
        { KeyClientId, "issued for another client", HttpStatusCode.Unauthorized },
        { KeyClientId, "tampered", HttpStatusCode.Unauthorized },
        { KeyClientId, "unsigned", HttpStatusCode.Unauthorized },
        { KeyUrlClientId, "signed by another key", HttpStatusCode.Unauthorized },
        { KeyClientId, "replayed", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(Assertions))]
    public async Task PrivateKeyJwt_ClientAssertion_IsVerifiedWithRegisteredKeys(string clientId, string variant, HttpStatusCode status)
    {
        var flow = new OAuthFlow(factory);
        using var otherKey = new ClientKey();
        var key = factory.Key;
        var assertion = variant switch
        {
            "signed by another key" => otherKey.CreateAssertion(clientId),
            "expired" => key.CreateAssertion(clientId, lifetime: TimeSpan.FromMinutes(-2)),
            "wrong audience" => key.CreateAssertion(clientId, audience: "https://other-server.example/"),
            "subject is another client" => key.CreateAssertion(clientId, subject: ParClientId),
            "issued for another client" => key.CreateAssertion(clientId == KeyClientId ? KeyUrlClientId : KeyClientId),
            "tampered" => key.CreateAssertion(clientId)[..^4] + "AAAA",
            "unsigned" => string.Join('.', key.CreateAssertion(clientId).Split('.')[..2]) + ".",
            _ => key.CreateAssertion(clientId),
        };
        var form = key.Credentials(clientId, assertion);
        form["grant_type"] = "client_credentials";
        form["scope"] = "read";

        if (variant == "replayed")
        {
            Assert.Equal(HttpStatusCode.OK, (await flow.App.PostFormAsync("/o/token/", form)).StatusCode);
        }

        var response = await flow.App.PostFormAsync("/o/token/", form);

        Assert.Equal(status, response.StatusCode);
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal("invalid_client", await response.ReadErrorAsync());
        }
    }

    [Fact]
    public async Task Fapi2_FullFlowWithPrivateKeyJwt_Works()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();

        var pushed = await PushAsync(flow, FapiClientId, pkce, factory.Key.Credentials(FapiClientId));
        var code = await AuthorizeWithRequestUriAsync(flow, FapiClientId, pushed);
        var response = await ExchangeAsync(flow, FapiClientId, code, pkce, factory.Key.Credentials(FapiClientId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync((await TokenSet.ReadAsync(response)).AccessToken)).StatusCode);
    }

    public static TheoryData<string, HttpStatusCode, string> Fapi2Violations { get; } = new()
    {
        { "authorization request not pushed", HttpStatusCode.BadRequest, "invalid_request" },
        { "push with client secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "push with plain pkce", HttpStatusCode.BadRequest, "invalid_request" },
        { "push without pkce", HttpStatusCode.BadRequest, "invalid_request" },
        { "token with client secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "refresh with client secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "introspect with client secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "revoke with client secret", HttpStatusCode.Unauthorized, "invalid_client" },
        { "code older than 60 seconds", HttpStatusCode.BadRequest, "invalid_grant" },
    };

    [Theory]
    [MemberData(nameof(Fapi2Violations))]
    public async Task Fapi2_RequestNotMeetingProfile_IsRejected(string violation, HttpStatusCode status, string error)
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var secretCredentials = Secret(FapiClientId);
        HttpResponseMessage response;
        switch (violation)
        {
            case "authorization request not pushed":
                await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
                response = await flow.AuthorizeAsync(SecurityTestKit.AuthorizationParameters(FapiClientId, RedirectUri, pkce));
                Assert.Null(response.Headers.Location);
                Assert.Equal(status, response.StatusCode);
                Assert.Equal(error, await response.ReadErrorPageCodeAsync());
                return;
            case "push with client secret":
                response = await flow.App.PostFormAsync("/o/par/", PushForm(FapiClientId, pkce, secretCredentials));
                break;
            case "push with plain pkce":
            case "push without pkce":
                var form = PushForm(FapiClientId, pkce, factory.Key.Credentials(FapiClientId)).Where(pair => !pair.Key.StartsWith("code_challenge", StringComparison.Ordinal)).ToList();
                if (violation == "push with plain pkce")
                {
                    form.Add(KeyValuePair.Create("code_challenge", (string?)pkce.Verifier));
                    form.Add(KeyValuePair.Create("code_challenge_method", (string?)"plain"));
                }

                response = await flow.App.PostFormAsync("/o/par/", form);
                break;
            default:
                var code = await AuthorizeWithRequestUriAsync(
                    flow, FapiClientId, await PushAsync(flow, FapiClientId, pkce, factory.Key.Credentials(FapiClientId)));
                response = await FollowUpAsync(flow, violation, code, pkce, secretCredentials);
                break;
        }

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, await response.ReadErrorAsync());
    }

    // Each request gets a fresh assertion: the server refuses one presented twice.
    private async Task<HttpResponseMessage> FollowUpAsync(
        OAuthFlow flow, string violation, string code, Pkce pkce, Dictionary<string, string?> secretCredentials)
    {
        if (violation == "token with client secret")
        {
            return await ExchangeAsync(flow, FapiClientId, code, pkce, secretCredentials);
        }

        if (violation == "code older than 60 seconds")
        {
            // The assertion is signed for the shifted clock, so only the code is too old.
            factory.Clock.Advance(TimeSpan.FromSeconds(61));
            try
            {
                var credentials = factory.Key.Credentials(
                    FapiClientId, factory.Key.CreateAssertion(FapiClientId, lifetime: TimeSpan.FromSeconds(120)));
                return await ExchangeAsync(flow, FapiClientId, code, pkce, credentials);
            }
            finally
            {
                factory.Clock.Advance(TimeSpan.FromSeconds(-61));
            }
        }

        var tokens = await TokenSet.ReadAsync(
            await ExchangeAsync(flow, FapiClientId, code, pkce, factory.Key.Credentials(FapiClientId)));
        var (path, form) = violation switch
        {
            "refresh with client secret" => ("/o/token/", new Dictionary<string, string?>(secretCredentials)
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = tokens.RefreshToken,
            }),
            "introspect with client secret" => ("/o/introspect/", new Dictionary<string, string?>(secretCredentials)
            {
                ["token"] = tokens.AccessToken,
            }),
            _ => ("/o/revoke_token/", new Dictionary<string, string?>(secretCredentials) { ["token"] = tokens.AccessToken }),
        };

        return await flow.App.PostFormAsync(path, form);
    }

    private static Dictionary<string, string?> Secret(string clientId) => new()
    {
        ["client_id"] = clientId,
        ["client_secret"] = SecurityTestKit.TestSecret,
    };

    private static IEnumerable<KeyValuePair<string, string?>> PushForm(
        string clientId, Pkce pkce, Dictionary<string, string?> credentials) =>
        SecurityTestKit.AuthorizationParameters(clientId, RedirectUri, pkce).Concat(credentials.Where(pair => pair.Key != "client_id"));

    private static async Task<string> PushAsync(OAuthFlow flow, string clientId, Pkce pkce, Dictionary<string, string?> credentials)
    {
        var response = await flow.App.PostFormAsync("/o/par/", PushForm(clientId, pkce, credentials));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.True(json.GetProperty("expires_in").GetInt32() > 0);
        var requestUri = json.GetProperty("request_uri").GetString()!;
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", requestUri, StringComparison.Ordinal);

        return requestUri;
    }

    private static async Task<string> AuthorizeWithRequestUriAsync(OAuthFlow flow, string clientId, string requestUri)
    {
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var callback = await flow.AuthorizeAndAllowAsync(
            new Dictionary<string, string?> { ["client_id"] = clientId, ["request_uri"] = requestUri }, RedirectUri);
        Assert.Equal("http://localhost/", callback["iss"]);

        return callback["code"];
    }

    private static Task<HttpResponseMessage> ExchangeAsync(
        OAuthFlow flow, string clientId, string code, Pkce pkce, Dictionary<string, string?> credentials) =>
        flow.App.PostFormAsync("/o/token/", new Dictionary<string, string?>(credentials)
        {
            ["client_id"] = clientId,
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = pkce.Verifier,
        });

    private static string[] Strings(JsonElement document, string property) =>
        [.. document.GetProperty(property).EnumerateArray().Select(item => item.GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The host with PAR, private_key_jwt and FAPI 2.0 applications, and a loopback web server
    /// that publishes one application's JWKS document by address.
    /// </summary>
    public sealed class Factory : SeededFactory
    {
        private WebApplication? _jwksServer;

        public ClientKey Key { get; } = new();

        protected override IEnumerable<OpenIddictApplicationDescriptor> Applications
        {
            get
            {
                var par = SecurityTestKit.Confidential(ParClientId, RedirectUri);
                var parRequired = SecurityTestKit.Confidential(ParRequiredClientId, RedirectUri);
                parRequired.Requirements.Add(ApplicationSecurity.RequirePushedAuthorizationRequests);

                var byValue = KeyClient(KeyClientId);
                byValue.JsonWebKeySet = Key.PublicKeySet;
                var byAddress = KeyClient(KeyUrlClientId);
                byAddress.Properties[ApplicationSecurity.JwksUriProperty] =
                    JsonSerializer.SerializeToElement(_jwksServer!.Urls.First() + "/jwks.json");

                var fapi = SecurityTestKit.Confidential(FapiClientId, RedirectUri);
                fapi.JsonWebKeySet = Key.PublicKeySet;
                fapi.Properties[ApplicationSecurity.Fapi2ProfileProperty] = JsonSerializer.SerializeToElement(true);
                fapi.Settings[OpenIddictConstants.Settings.TokenLifetimes.AuthorizationCode] = "00:10:00";

                return [par, parRequired, byValue, byAddress, fapi];
            }
        }

        public override async Task InitializeAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
            _jwksServer = builder.Build();
            _jwksServer.MapGet("/jwks.json", () => Results.Text(Key.PublicKeySetJson, "application/json"));
            await _jwksServer.StartAsync();
            await base.InitializeAsync();
        }

        protected override async Task DisposeResourcesAsync()
        {
            if (_jwksServer is not null)
            {
                await _jwksServer.DisposeAsync();
            }

            Key.Dispose();
        }

        private static OpenIddictApplicationDescriptor KeyClient(string clientId)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Key client " + clientId,
                Permissions =
                {
                    Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + "read",
                },
            };

            return descriptor;
        }
    }
}
