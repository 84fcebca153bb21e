using System.Net;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Redirect URIs are compared by exact string match (RFC 6749 section 3.1.2.3) at the
/// authorization and token endpoints: every near miss of the registered URI is refused.
/// </summary>
public sealed class RedirectUriTests(RedirectUriTests.Factory factory) : IClassFixture<RedirectUriTests.Factory>
{
    public const string ClientId = "redirect-test-client";
    public const string Registered = "https://client.example/callback/";

    private static readonly string[] NearMissUris =
    [
        "https://CLIENT.example/callback/",
        "https://Client.Example/callback/",
        "https://client.example/Callback/",
        "https://client.example/CALLBACK/",
        "https://client.example/callback",
        "https://client.example/callback//",
        "https://client.example/callback/?",
        "https://client.example/callback/?next=1",
        "https://client.example/callback/#",
        "https://client.example/callback/#fragment",
        "https://client.example:443/callback/",
        "https://client.example:8443/callback/",
        "http://client.example/callback/",
        "HTTPS://client.example/callback/",
        "https://client.example/callback/../callback/",
        "https://client.example/other/../callback/",
        "https://client.example/./callback/",
        "https://client.example/callback/%2e%2e/callback/",
        "https://client.example/callback/%2E%2E/",
        "https://client.example/callback/%2fevil",
        "https://client.example/callback;param=1/",
        "https://client.example/callback/..;/",
        "https://client.example/callback/;jsessionid=abc",
        "https://client.example@evil.example/callback/",
        "https://evil.example@client.example/callback/",
        "https://client.example%40evil.example/callback/",
        "https://client.example%2540evil.example/callback/",
        "https://client.example:443@evil.example/callback/",
        "https://client.example\\@evil.example/callback/",
        "https://client.example\\callback/",
        "https:\\\\client.example/callback/",
        "https://client.example/callback\\",
        "https://client.example.evil.example/callback/",
        "https://evilclient.example/callback/",
        "https://client.example./callback/",
        "https://cl1ent.example/callback/",
        "https://\u0441lient.example/callback/",
        "https://xn--lient-3ve.example/callback/",
        "https://client.example/callback/%20",
        "https://client.example/callback/ ",
        "//client.example/callback/",
        "/callback/",
        "client.example/callback/",
    ];

    public static TheoryData<string> NearMisses { get; } = new(NearMissUris);

    [Theory]
    [MemberData(nameof(NearMisses))]
    public async Task Authorize_NearMissRedirectUri_ShowsErrorPageWithoutRedirect(string redirectUri)
    {
        var flow = new OAuthFlow(factory);
        var parameters = SecurityTestKit.AuthorizationParameters(ClientId, redirectUri, Pkce.Create());

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_request", await response.ReadErrorPageCodeAsync());
        Assert.DoesNotContain("code=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_NearMissWithPromptNone_ShowsErrorPageWithoutRedirect()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = SecurityTestKit.AuthorizationParameters(ClientId, "https://evil.example/callback/", Pkce.Create());
        parameters["prompt"] = "none";

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Token_NearMissRedirectUri_IsInvalidGrantAndLeavesCodeUsable()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var pkce = Pkce.Create();
        var callback = await flow.AuthorizeAndAllowAsync(
            SecurityTestKit.AuthorizationParameters(ClientId, Registered, pkce), Registered);
        var code = callback["code"];

        foreach (var redirectUri in NearMissUris)
        {
            var response = await flow.ExchangeCodeAsync(code, pkce.Verifier, ClientId, SecurityTestKit.TestSecret, redirectUri);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{redirectUri}: {(int)response.StatusCode}");
            Assert.Equal("invalid_grant", await response.ReadErrorAsync());
        }

        var exact = await flow.ExchangeCodeAsync(code, pkce.Verifier, ClientId, SecurityTestKit.TestSecret, Registered);
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
    }

    public sealed class Factory : SeededFactory
    {
        protected override IEnumerable<OpenIddictApplicationDescriptor> Applications =>
            [SecurityTestKit.Confidential(ClientId, Registered)];
    }
}
