using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Repeated, oversized and malformed parameters get a clean 4xx at every OAuth endpoint, never a
/// 5xx, and state comes back byte for byte or not at all.
/// </summary>
public sealed class RequestHygieneTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    public static TheoryData<string> RepeatedAuthorizeParameters { get; } =
        ["client_id", "redirect_uri", "response_type", "state", "scope", "code_challenge", "code_challenge_method"];

    [Theory]
    [MemberData(nameof(RepeatedAuthorizeParameters))]
    public async Task Authorize_RepeatedParameter_IsInvalidRequestWithoutRedirect(string name)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        var query = QueryHelpers.AddQueryString("/o/authorize/", parameters) + "&" + name + "=" + Uri.EscapeDataString(parameters[name]!);

        var response = await flow.Browser.GetAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_request", await response.ReadErrorPageCodeAsync());
    }

    public static TheoryData<string> RepeatedTokenParameters { get; } =
        ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier"];

    [Theory]
    [MemberData(nameof(RepeatedTokenParameters))]
    public async Task Token_RepeatedParameter_IsInvalidRequest(string name)
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", OAuthFlow.DemoRedirectUri),
            new("client_id", OAuthFlow.DemoClientId),
            new("client_secret", OAuthFlow.DemoClientSecret),
            new("code_verifier", pkce.Verifier),
        };
        form.Add(form.First(pair => pair.Key == name));

        var response = await flow.App.PostAsync("/o/token/", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.OK, (await flow.ExchangeCodeAsync(code, pkce.Verifier)).StatusCode);
    }

    public static TheoryData<string> ReturnedStates { get; } =
    [
        "a",
        "state with spaces and ~!*'();:@&=+$,/?#[]",
        "%41%42 looks encoded",
        "\"<script>alert(1)</script>\"",
        new string('x', 1024),
        string.Concat(Enumerable.Range(0x20, 0x5F).Select(code => (char)code)),
    ];

    [Theory]
    [MemberData(nameof(ReturnedStates))]
    public async Task Authorize_State_ComesBackByteForByte(string state)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["state"] = state;

        var callback = await flow.AuthorizeAndAllowAsync(parameters, OAuthFlow.DemoRedirectUri);

        Assert.Equal(state, callback["state"]);
    }

    // Raw query suffixes appended to a valid authorization request; %FF is not UTF-8 and %C3%28
    // is an invalid two-byte sequence.
    public static TheoryData<string> RefusedRawStates { get; } =
    [
        "state=" + new string('x', 1025),
        "state=" + new string('x', 100_000),
        "state=%FF",
        "state=ok%C3%28",
        "state=a%00b",
        "state=a%0Ab",
        "state=a%0D%0ALocation:%20https://evil.example/",
        "state=a%1Fb",
        "state=a%7Fb",
        "state=%C2%85",
        "state=caf%C3%A9",
        "state=%E2%80%AE",
    ];

    [Theory]
    [MemberData(nameof(RefusedRawStates))]
    public async Task Authorize_MalformedState_IsRefusedWithoutEcho(string rawState)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters.Remove("state");

        var response = await flow.Browser.GetAsync(QueryHelpers.AddQueryString("/o/authorize/", parameters) + "&" + rawState);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_request", await response.ReadErrorPageCodeAsync());
    }

    public static TheoryData<string> MalformedParameters { get; } =
    [
        "client_id=ref-web-client%00",
        "client_id=ref-web-client%FF",
        "client_id=ref%0Aweb",
        "scope=read%09write",
        "redirect_uri=http://127.0.0.1:8000/callback/%0D%0A",
        "code_challenge=" + new string('A', 9000),
    ];

    [Theory]
    [MemberData(nameof(MalformedParameters))]
    public async Task Authorize_ControlCharacterOrHugeValue_IsRefusedWithoutRedirect(string rawParameter)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var name = rawParameter[..rawParameter.IndexOf('=', StringComparison.Ordinal)];
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters.Remove(name);

        var response = await flow.Browser.GetAsync(QueryHelpers.AddQueryString("/o/authorize/", parameters) + "&" + rawParameter);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    public static TheoryData<string, int, HttpStatusCode> OversizedTokenBodies { get; } = new()
    {
        { "code", 9_000, HttpStatusCode.BadRequest },
        { "code", 60_000, HttpStatusCode.BadRequest },
        { "code", 100_000, HttpStatusCode.RequestEntityTooLarge },
        { "client_secret", 1_000_000, HttpStatusCode.RequestEntityTooLarge },
        { "padding", 5_000_000, HttpStatusCode.RequestEntityTooLarge },
        { "code_verifier", 20_000, HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(OversizedTokenBodies))]
    public async Task Token_OversizedValue_GetsQuick4xx(string name, int length, HttpStatusCode expected)
    {
        var flow = new OAuthFlow(factory);
        var form = new Dictionary<string, string?>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = "code",
            ["redirect_uri"] = OAuthFlow.DemoRedirectUri,
            ["client_id"] = OAuthFlow.DemoClientId,
            ["client_secret"] = OAuthFlow.DemoClientSecret,
            ["code_verifier"] = Pkce.Create().Verifier,
        };
        form[name] = new string('a', length);

        var response = await flow.PostTokenAsync(form);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    // A chunked body announces no length, so it is read up to the limit and then refused.
    [Fact]
    public async Task Token_ChunkedMegabyteBody_Gets413()
    {
        var flow = new OAuthFlow(factory);
        var body = "grant_type=refresh_token&refresh_token=" + new string('a', 1_000_000);
        var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(body)));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");

        var response = await flow.App.PostAsync("/o/token/", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    public static TheoryData<string> MalformedTokenBodies { get; } =
    [
        "grant_type=refresh_token&refresh_token=%FF%FE&client_id=ref-web-client",
        "grant_type=refresh_token&refresh_token=abc%00def&client_id=ref-web-client",
        "grant_type=refresh%0A_token&refresh_token=abc&client_id=ref-web-client",
        "grant_type=authorization_code&code=%C3%28&client_id=ref-web-client",
    ];

    [Theory]
    [MemberData(nameof(MalformedTokenBodies))]
    public async Task Token_MalformedUtf8OrControlCharacter_IsInvalidRequest(string body)
    {
        var flow = new OAuthFlow(factory);

        var response = await flow.App.PostAsync("/o/token/",
            new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorAsync());
    }

    [Fact]
    public async Task Revoke_RepeatedToken_IsInvalidRequest()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        var response = await flow.App.PostAsync("/o/revoke_token/", new FormUrlEncodedContent(
        [
            KeyValuePair.Create("token", tokens.AccessToken),
            KeyValuePair.Create("token", tokens.RefreshToken!),
            KeyValuePair.Create("client_id", OAuthFlow.DemoClientId),
            KeyValuePair.Create("client_secret", OAuthFlow.DemoClientSecret),
        ]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }
}
