using System.Net;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// PKCE with S256 only, for confidential clients too (RFC 9700 section 2.1.1), with the syntax
/// rules of RFC 7636 enforced on both the challenge and the verifier.
/// </summary>
public sealed class PkceTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private static readonly string ValidChallenge = Pkce.Create().Challenge;

    public static TheoryData<string?, string?> RejectedChallenges { get; } = new()
    {
        { null, null },
        { null, "S256" },
        { ValidChallenge, null },
        { ValidChallenge, "plain" },
        { ValidChallenge, "s256" },
        { ValidChallenge, "SHA256" },
        { ValidChallenge, "S512" },
        { ValidChallenge[..42], "S256" },
        { ValidChallenge + "A", "S256" },
        { new string('A', 128), "S256" },
        { ValidChallenge[..42] + "=", "S256" },
        { ValidChallenge[..42] + "+", "S256" },
        { ValidChallenge[..42] + "/", "S256" },
        { ValidChallenge[..42] + ".", "S256" },
        { "", "S256" },
    };

    [Theory]
    [MemberData(nameof(RejectedChallenges))]
    public async Task Authorize_InvalidChallenge_IsInvalidRequestWithoutRedirect(string? challenge, string? method)
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["code_challenge"] = challenge;
        parameters["code_challenge_method"] = method;

        var response = await flow.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_request", await response.ReadErrorPageCodeAsync());
    }

    public static TheoryData<string> RejectedVerifiers { get; } =
    [
        new string('a', 42),
        new string('a', 129),
        new string('a', 1000),
        new string('a', 42) + "+",
        new string('a', 42) + "/",
        new string('a', 42) + "=",
        new string('a', 42) + " ",
        new string('a', 42) + "%",
        new string('a', 42) + "\u00e9",
        new string('a', 42) + "*",
    ];

    // The challenge is computed from the malformed verifier itself, so only the syntax check
    // can reject it.
    [Theory]
    [MemberData(nameof(RejectedVerifiers))]
    public async Task Token_MalformedVerifier_IsInvalidRequest(string verifier)
    {
        var flow = new OAuthFlow(factory);
        var pkce = new Pkce(verifier, Pkce.ChallengeOf(verifier));
        var code = await flow.GetCodeAsync(pkce);

        var response = await flow.ExchangeCodeAsync(code, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await response.ReadErrorAsync());
    }

    public static TheoryData<int> AcceptedVerifierLengths { get; } = [43, 64, 128];

    [Theory]
    [MemberData(nameof(AcceptedVerifierLengths))]
    public async Task Token_VerifierOfAllowedLength_IsAccepted(int length)
    {
        var flow = new OAuthFlow(factory);
        var verifier = string.Concat(Enumerable.Repeat("Az09-._~", 16))[..length];
        var pkce = new Pkce(verifier, Pkce.ChallengeOf(verifier));
        var code = await flow.GetCodeAsync(pkce);

        var response = await flow.ExchangeCodeAsync(code, verifier);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Token_WrongOrMissingVerifier_IsRejectedAndCodeSurvives()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var wrong = await flow.ExchangeCodeAsync(code, Pkce.Create().Verifier);
        var missing = await flow.PostTokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = OAuthFlow.DemoRedirectUri,
            ["client_id"] = OAuthFlow.DemoClientId,
            ["client_secret"] = OAuthFlow.DemoClientSecret,
        });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", await wrong.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("invalid_request", await missing.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.OK, (await flow.ExchangeCodeAsync(code, pkce.Verifier)).StatusCode);
    }

    [Fact]
    public async Task Discovery_ListsOnlyS256()
    {
        var client = factory.CreateBrowserlessClient();

        var discovery = await (await client.GetAsync("/.well-known/openid-configuration")).ReadJsonAsync();

        var methods = discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(item => item.GetString());
        Assert.Equal(["S256"], methods);
    }
}
