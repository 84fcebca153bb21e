using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Audit;
using OpenBanking.Web.OAuth;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Refresh tokens rotate with reuse detection and no reuse leeway by default, concurrent use
/// leaves at most one live chain, and a refresh never widens the scope.
/// </summary>
public sealed class RefreshTokenTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public void Options_ReuseLeeway_IsZeroByDefault()
    {
        var options = factory.Services.GetRequiredService<IOptions<AuthorizationServerOptions>>().Value;

        Assert.Equal(0, options.RefreshTokenReuseLeewaySeconds);
    }

    [Fact]
    public async Task Refresh_UsedTokenPresentedAgain_EndsTheWholeFamily()
    {
        var flow = new OAuthFlow(factory);
        var first = await flow.GetTokensAsync();
        var second = await TokenSet.ReadAsync(await flow.RefreshAsync(first.RefreshToken!));
        var third = await TokenSet.ReadAsync(await flow.RefreshAsync(second.RefreshToken!));
        var auditedBefore = await CountAuditAsync(AuditActions.RefreshTokenReused);

        var reuse = await flow.RefreshAsync(first.RefreshToken!);

        Assert.Equal(HttpStatusCode.BadRequest, reuse.StatusCode);
        Assert.Equal("invalid_grant", await reuse.ReadErrorAsync());
        foreach (var tokens in new[] { first, second, third })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        }

        Assert.Equal("invalid_grant", await (await flow.RefreshAsync(third.RefreshToken!)).ReadErrorAsync());
        Assert.Equal(auditedBefore + 1, await CountAuditAsync(AuditActions.RefreshTokenReused));
    }

    [Fact]
    public async Task Refresh_TwentyConcurrentUses_LeaveAtMostOneLiveChain()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => flow.RefreshAsync(tokens.RefreshToken!)));

        Assert.All(responses, response => Assert.True(
            response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"Status {(int)response.StatusCode}"));
        var issued = new List<TokenSet>();
        foreach (var response in responses.Where(response => response.StatusCode == HttpStatusCode.OK))
        {
            issued.Add(await TokenSet.ReadAsync(response));
        }

        Assert.True(issued.Count <= 1, $"{issued.Count} refreshes succeeded");
        var liveChains = 0;
        foreach (var chain in issued)
        {
            if ((await flow.RefreshAsync(chain.RefreshToken!)).StatusCode == HttpStatusCode.OK)
            {
                liveChains++;
            }
        }

        Assert.True(liveChains <= 1, $"{liveChains} chains are still live");
    }

    public static TheoryData<string, string?, string> Scopes { get; } = new()
    {
        { "read write payments", null, "read write payments" },
        { "read write payments", "read", "read" },
        { "read write payments", "read payments", "read payments" },
        { "read write payments", "payments read write", "read write payments" },
        { "read", null, "read" },
        { "read", "read", "read" },
        { "read", "read write", "error:invalid_scope" },
        { "read", "payments", "error:invalid_scope" },
        { "read write", "read admin", "error:invalid_scope" },
        { "read write", "profile", "error:invalid_scope" },
        { "read write", "openid", "error:invalid_scope" },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task Refresh_Scope_NeverWidens(string granted, string? requested, string expected)
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync(scope: granted);

        var response = await flow.RefreshAsync(tokens.RefreshToken!, scope: requested);

        if (expected.StartsWith("error:", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(expected["error:".Length..], await response.ReadErrorAsync());
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refreshed = await TokenSet.ReadAsync(response);
        Assert.Equal(expected.Split(' ').Order(), refreshed.Scope.Split(' ').Order());
    }

    // RFC 6749 section 6: the new refresh token keeps the scope of the one presented, so a
    // narrowed refresh does not lose the rest of the grant.
    [Fact]
    public async Task Refresh_AfterNarrowedRefresh_KeepsOriginalGrant()
    {
        var flow = new OAuthFlow(factory);
        var tokens = await flow.GetTokensAsync();
        var narrowed = await TokenSet.ReadAsync(await flow.RefreshAsync(tokens.RefreshToken!, scope: "read"));

        var restored = await TokenSet.ReadAsync(await flow.RefreshAsync(narrowed.RefreshToken!));

        Assert.Equal("read", narrowed.Scope);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await flow.TransferAsync(narrowed.AccessToken, """{"amount": 1}""")).StatusCode);
        Assert.Equal("read write payments", restored.Scope);
    }

    private async Task<int> CountAuditAsync(string action)
    {
        await using var db = factory.CreateDbContext();
        return await db.AuditEvents.CountAsync(entry => entry.Action == action);
    }
}
