using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// The bank API takes access tokens from the Authorization header only, refuses every other kind
/// of token and every tampered or unsigned one, and enforces expiry with the configured skew.
/// </summary>
public sealed class BearerTokenTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    public static TheoryData<string> Placements { get; } = ["query", "form", "header"];

    [Theory]
    [MemberData(nameof(Placements))]
    public async Task Api_TokenOutsideAuthorizationHeader_IsUnauthorized(string placement)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var request = placement switch
        {
            "query" => new HttpRequestMessage(HttpMethod.Get, "/api/balance/?access_token=" + Uri.EscapeDataString(tokens.AccessToken)),
            "form" => new HttpRequestMessage(HttpMethod.Post, "/api/transfer/")
            {
                Content = new FormUrlEncodedContent([KeyValuePair.Create("access_token", tokens.AccessToken), KeyValuePair.Create("amount", "1")]),
            },
            _ => new HttpRequestMessage(HttpMethod.Get, "/api/balance/")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken) },
            },
        };

        var response = await flow.App.SendAsync(request);

        Assert.Equal(placement == "header" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public static TheoryData<string> Schemes { get; } = ["Bearer", "bearer", "BEARER", "bEaReR"];

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Api_SchemeName_IsCaseInsensitive(string scheme)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/balance/");
        request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + tokens.AccessToken);

        var response = await flow.App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string> WrongTokens { get; } =
    [
        "identity token", "refresh token", "authorization code", "flipped signature", "flipped payload",
        "truncated", "unsigned", "signed by another key", "empty", "garbage",
    ];

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task Api_WrongOrTamperedToken_IsInvalidToken(string kind)
    {
        await AllowOpenIdForDemoClientAsync();
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce, scope: "openid read write payments");
        var response = await flow.ExchangeCodeAsync(code, pkce.Verifier);
        var tokens = await TokenSet.ReadAsync(response);
        var access = tokens.AccessToken;
        var token = kind switch
        {
            "identity token" => tokens.Json.GetProperty("id_token").GetString()!,
            "refresh token" => tokens.RefreshToken!,
            "authorization code" => await flow.GetCodeAsync(Pkce.Create()),
            "flipped signature" => Flip(access, access.Length - 5),
            "flipped payload" => Flip(access, access.IndexOf('.', StringComparison.Ordinal) + 10),
            "truncated" => access[..access.LastIndexOf('.')],
            "unsigned" => Unsigned(),
            "signed by another key" => SignedByAnotherKey(),
            "empty" => "",
            _ => "not-a-token",
        };

        var result = await flow.GetBalanceAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, result.StatusCode);
        Assert.Contains(result.Headers.WwwAuthenticate, header => header.Scheme == "Bearer");
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(access)).StatusCode);
    }

    [Fact]
    public async Task Api_ExpiredToken_IsRejectedWithoutSkew()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        factory.Clock.Advance(TimeSpan.FromSeconds(tokens.ExpiresIn + 1));
        var response = await flow.GetBalanceAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static string Flip(string token, int index)
    {
        var characters = token.ToCharArray();
        characters[index] = characters[index] == 'A' ? 'B' : 'A';
        return new string(characters);
    }

    private static string Unsigned()
    {
        var header = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"at+jwt"}"""));
        var payload = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(
            """{"iss":"http://localhost/","aud":"bank-api","sub":"anyone","scope":"read payments","exp":4102444800}"""));
        return header + "." + payload + ".";
    }

    private static string SignedByAnotherKey()
    {
        using var rsa = RSA.Create(2048);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://localhost/",
            Audience = "bank-api",
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object> { ["sub"] = "anyone", ["scope"] = "read payments" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)), SecurityAlgorithms.RsaSha256),
        });
    }

    // The demo client is not registered for openid; an identity token needs that registration.
    private async Task AllowOpenIdForDemoClientAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(OAuthFlow.DemoClientId)
            ?? throw new InvalidOperationException("The demo client is not seeded.");
        var permission = OpenIddict.Abstractions.OpenIddictConstants.Permissions.Prefixes.Scope + "openid";
        if (await applications.HasPermissionAsync(application, permission))
        {
            return;
        }

        var descriptor = new OpenIddict.Abstractions.OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application);
        descriptor.Permissions.Add(permission);
        await applications.UpdateAsync(application, descriptor);
    }
}

/// <summary>With a configured clock skew of 30 s, a token is accepted up to 30 s past expiry and no longer.</summary>
public sealed class ClockSkewTests(ClockSkewTests.Factory factory) : IClassFixture<ClockSkewTests.Factory>
{
    public static TheoryData<int, HttpStatusCode> SecondsPastExpiry { get; } = new()
    {
        { -5, HttpStatusCode.OK },
        { 20, HttpStatusCode.OK },
        { 40, HttpStatusCode.Unauthorized },
        { 600, HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(SecondsPastExpiry))]
    public async Task Api_TokenPastExpiry_HonoursConfiguredSkew(int secondsPastExpiry, HttpStatusCode expected)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        factory.Clock.Advance(TimeSpan.FromSeconds(tokens.ExpiresIn + secondsPastExpiry));
        try
        {
            Assert.Equal(expected, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        }
        finally
        {
            factory.Clock.Advance(-TimeSpan.FromSeconds(tokens.ExpiresIn + secondsPastExpiry));
        }
    }

    public sealed class Factory : OpenBankingFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } =
            new Dictionary<string, string?> { ["AuthorizationServer:ClockSkewSeconds"] = "30" };
    }
}
