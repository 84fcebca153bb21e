using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.OAuth;

/// <summary>
/// Bearer validation reads token and authorization entries through an in-process cache. Each
/// test first makes the API cache a valid token, then ends it by one write path, and expects
/// the very next API call to fail.
/// </summary>
public sealed class TokenValidationCacheTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task GrantServiceRevocation_RejectsCachedToken()
    {
        var (flow, tokens, authorizationId) = await CachedTokenAsync();
        await using var scope = factory.Services.CreateAsyncScope();

        var ended = await scope.ServiceProvider.GetRequiredService<GrantService>()
            .RevokeAuthorizationAsync(authorizationId, CancellationToken.None);

        Assert.True(ended >= 2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task AuthorizationRevokedAlone_RejectsCachedToken()
    {
        var (flow, tokens, authorizationId) = await CachedTokenAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();

        var authorization = await manager.FindByIdAsync(authorizationId);
        Assert.True(await manager.TryRevokeAsync(authorization!));

        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ExecuteUpdateOfTokens_RejectsCachedToken()
    {
        var (flow, tokens, authorizationId) = await CachedTokenAsync();
        await using var db = factory.CreateDbContext();

        var changed = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(token => token.Authorization!.Id == authorizationId)
            .ExecuteUpdateAsync(setters => setters.SetProperty(token => token.Status, Statuses.Revoked));

        Assert.True(changed >= 2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RawSqlDeleteOfTokens_RejectsCachedToken()
    {
        var (flow, tokens, authorizationId) = await CachedTokenAsync();
        await using var db = factory.CreateDbContext();

        var deleted = await db.Database.ExecuteSqlAsync(
            $"delete from OpenIddictTokens where AuthorizationId = {authorizationId}");

        Assert.True(deleted >= 2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RevocationInTransaction_RejectsAfterCommit()
    {
        var (flow, tokens, authorizationId) = await CachedTokenAsync();
        await using var db = factory.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var token = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .SingleAsync(token => token.Authorization!.Id == authorizationId
                && token.Type == TokenTypeIdentifiers.AccessToken);
        token.Status = Statuses.Revoked;
        await db.SaveChangesAsync();

        // Not committed yet: readers still see the token as valid and may cache that.
        var beforeCommit = await flow.GetBalanceAsync(tokens.AccessToken);
        await transaction.CommitAsync();
        var afterCommit = await flow.GetBalanceAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, beforeCommit.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterCommit.StatusCode);
    }

    [Fact]
    public async Task CachedToken_StillChecksExpiry()
    {
        var (flow, tokens, _) = await CachedTokenAsync();

        factory.Clock.Advance(TimeSpan.FromSeconds(3600 + 120));
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        }
        finally
        {
            factory.Clock.Advance(-TimeSpan.FromSeconds(3600 + 120));
        }
    }

    [Fact]
    public async Task CachedToken_KeepsClaimsPerRequest()
    {
        var (flow, tokens, _) = await CachedTokenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => flow.GetBalanceAsync(tokens.AccessToken)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
    }

    [Fact]
    public async Task AccessToken_IsEncryptedWithSymmetricKey()
    {
        var (_, tokens, _) = await CachedTokenAsync();

        var header = JsonDocument.Parse(Encoding.UTF8.GetString(Base64Url(tokens.AccessToken.Split('.')[0]))).RootElement;
        var jwks = JsonDocument.Parse(await new OAuthFlow(factory).App.GetStringAsync("/.well-known/jwks")).RootElement;

        Assert.Equal("A256KW", header.GetProperty("alg").GetString());
        Assert.Equal("A256CBC-HS512", header.GetProperty("enc").GetString());
        Assert.All(jwks.GetProperty("keys").EnumerateArray(), key => Assert.Equal("RSA", key.GetProperty("kty").GetString()));
    }

    /// <summary>Issues tokens to a new customer and calls the API once, so the token is cached.</summary>
    private async Task<(OAuthFlow Flow, TokenSet Tokens, string AuthorizationId)> CachedTokenAsync()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(100m);
        var tokens = await flow.GetTokensAsync("read", email, password);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);

        await using var db = factory.CreateDbContext();
        var authorizationId = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(token => token.Subject == account.OwnerId && token.Type == TokenTypeIdentifiers.AccessToken)
            .Select(token => token.Authorization!.Id!)
            .SingleAsync();
        return (flow, tokens, authorizationId);
    }

    private static byte[] Base64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
}
