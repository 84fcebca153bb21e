using System.Net;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Audit;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Authorization codes work once even under concurrent redemption, a replay ends the grant,
/// a code is bound to its client and redirect URI, and it lives at most 60 seconds.
/// </summary>
public sealed class AuthorizationCodeTests(AuthorizationCodeTests.Factory factory) : IClassFixture<AuthorizationCodeTests.Factory>
{
    private const string ThiefClientId = "code-thief-client";
    private const string LongCodeClientId = "long-code-client";

    [Fact]
    public async Task Code_TwentyConcurrentExchanges_ExactlyOneSucceeds()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => flow.ExchangeCodeAsync(code, pkce.Verifier)));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.OK);
        Assert.Equal(19, responses.Count(response => response.StatusCode == HttpStatusCode.BadRequest));
        foreach (var rejected in responses.Where(response => response.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal("invalid_grant", await rejected.ReadErrorAsync());
        }
    }

    [Fact]
    public async Task Code_Replayed_RevokesEveryTokenOfTheGrantAndIsAudited()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);
        var tokens = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(code, pkce.Verifier));
        var refreshed = await TokenSet.ReadAsync(await flow.RefreshAsync(tokens.RefreshToken!));
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(refreshed.AccessToken)).StatusCode);

        var auditedBefore = await CountAuditAsync(AuditActions.AuthorizationCodeReplayed);

        var replay = await flow.ExchangeCodeAsync(code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", await replay.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(refreshed.AccessToken)).StatusCode);
        Assert.Equal("invalid_grant", await (await flow.RefreshAsync(refreshed.RefreshToken!)).ReadErrorAsync());

        Assert.Equal(auditedBefore + 1, await CountAuditAsync(AuditActions.AuthorizationCodeReplayed));
        await using var db = factory.CreateDbContext();
        var audit = await db.AuditEvents.Where(entry => entry.Action == AuditActions.AuthorizationCodeReplayed)
            .OrderByDescending(entry => entry.Id).FirstAsync();
        Assert.Equal(OAuthFlow.DemoClientId, audit.ClientId);
        Assert.False(string.IsNullOrEmpty(audit.CorrelationId));
    }

    private async Task<int> CountAuditAsync(string action)
    {
        await using var db = factory.CreateDbContext();
        return await db.AuditEvents.CountAsync(entry => entry.Action == action);
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> ForeignPresenters { get; } = new()
    {
        { ThiefClientId, SecurityTestKit.TestSecret, OAuthFlow.DemoRedirectUri, HttpStatusCode.BadRequest, "invalid_grant" },
        { OAuthFlow.DemoClientId, SecurityTestKit.TestSecret, OAuthFlow.DemoRedirectUri, HttpStatusCode.Unauthorized, "invalid_client" },
        { OAuthFlow.DemoClientId, "", OAuthFlow.DemoRedirectUri, HttpStatusCode.Unauthorized, "invalid_client" },
        { "no-such-client", SecurityTestKit.TestSecret, OAuthFlow.DemoRedirectUri, HttpStatusCode.Unauthorized, "invalid_client" },
        { OAuthFlow.DemoClientId, OAuthFlow.DemoClientSecret, "http://localhost/callback/", HttpStatusCode.BadRequest, "invalid_grant" },
    };

    [Theory]
    [MemberData(nameof(ForeignPresenters))]
    public async Task Code_PresentedByOtherClientOrRedirect_IsRejectedAndNotBurnt(
        string clientId, string secret, string redirectUri, HttpStatusCode status, string error)
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var stolen = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientId, secret, redirectUri);

        Assert.Equal(status, stolen.StatusCode);
        Assert.Equal(error, await stolen.ReadErrorAsync());
        Assert.Equal(HttpStatusCode.OK, (await flow.ExchangeCodeAsync(code, pkce.Verifier)).StatusCode);
    }

    [Fact]
    public async Task Code_AfterItsLifetime_IsInvalidGrant()
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        var response = await flow.ExchangeCodeAsync(code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", await response.ReadErrorAsync());
    }

    // The application's own setting asks for ten-minute codes; the server ceiling still applies.
    [Fact]
    public async Task Code_OfApplicationAskingLongerLifetime_LivesAtMostSixtySeconds()
    {
        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var pkce = Pkce.Create();
        var callback = await flow.AuthorizeAndAllowAsync(
            SecurityTestKit.AuthorizationParameters(LongCodeClientId, OAuthFlow.DemoRedirectUri, pkce), OAuthFlow.DemoRedirectUri);

        await using (var db = factory.CreateDbContext())
        {
            var codes = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>()
                .Where(token => token.Type == TokenTypeIdentifiers.Private.AuthorizationCode && token.Application!.ClientId == LongCodeClientId)
                .ToListAsync();
            var issued = Assert.Single(codes);
            Assert.True(issued.ExpirationDate - issued.CreationDate <= TimeSpan.FromSeconds(60),
                $"Code lifetime {issued.ExpirationDate - issued.CreationDate}");
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        var response = await flow.ExchangeCodeAsync(callback["code"], pkce.Verifier, LongCodeClientId,
            SecurityTestKit.TestSecret, OAuthFlow.DemoRedirectUri);
        Assert.Equal("invalid_grant", await response.ReadErrorAsync());
    }

    public sealed class Factory : SeededFactory
    {
        protected override IEnumerable<OpenIddictApplicationDescriptor> Applications
        {
            get
            {
                var longCode = SecurityTestKit.Confidential(LongCodeClientId, OAuthFlow.DemoRedirectUri);
                longCode.Settings[OpenIddictConstants.Settings.TokenLifetimes.AuthorizationCode] = "00:10:00";
                return [SecurityTestKit.Confidential(ThiefClientId, OAuthFlow.DemoRedirectUri), longCode];
            }
        }
    }
}

/// <summary>Codes expire after the configured lifetime, here 10 seconds.</summary>
public sealed class ShortCodeLifetimeTests(ShortCodeLifetimeTests.Factory factory) : IClassFixture<ShortCodeLifetimeTests.Factory>
{
    public static TheoryData<int, HttpStatusCode> Ages { get; } = new()
    {
        { 0, HttpStatusCode.OK },
        { 11, HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Ages))]
    public async Task Code_OlderThanConfiguredLifetime_IsRejected(int ageSeconds, HttpStatusCode expected)
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        factory.Clock.Advance(TimeSpan.FromSeconds(ageSeconds));
        var response = await flow.ExchangeCodeAsync(code, pkce.Verifier);

        Assert.Equal(expected, response.StatusCode);
    }

    public sealed class Factory : OpenBankingFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } =
            new Dictionary<string, string?> { ["AuthorizationServer:AuthorizationCodeLifetimeSeconds"] = "10" };
    }
}
