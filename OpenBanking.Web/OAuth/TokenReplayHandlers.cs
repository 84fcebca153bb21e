using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Treats an authorization code or refresh token presented again at the token endpoint as
/// stolen: ends its grant family and writes a security event. OpenIddict then rejects the
/// request with invalid_grant and revokes the family's tokens itself; this handler adds the
/// revocation of the ad-hoc authorization (so tokens a concurrent request is still creating
/// fail validation too) and the audit trail. A refresh token reused within
/// <see cref="AuthorizationServerOptions.RefreshTokenReuseLeewaySeconds"/> is left to OpenIddict,
/// which accepts it.
/// </summary>
internal sealed partial class DetectRedeemedTokenReuse(
    IOpenIddictTokenManager tokenManager,
    GrantService grants,
    AuditLog auditLog,
    ILogger<DetectRedeemedTokenReuse> logger) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<DetectRedeemedTokenReuse>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        var tokenType = context.Principal?.GetTokenType();
        if (context.EndpointType != OpenIddictServerEndpointType.Token
            || string.IsNullOrEmpty(context.TokenId)
            || string.IsNullOrEmpty(context.AuthorizationId)
            || tokenType is not (TokenTypeIdentifiers.Private.AuthorizationCode or TokenTypeIdentifiers.RefreshToken))
        {
            return;
        }

        var token = await tokenManager.FindByIdAsync(context.TokenId, context.CancellationToken);
        if (token is null
            || !await tokenManager.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken)
            || await IsWithinReuseLeewayAsync(context, token, tokenType))
        {
            return;
        }

        var isCode = tokenType == TokenTypeIdentifiers.Private.AuthorizationCode;
        var revoked = await grants.EndGrantFamilyAsync(context.AuthorizationId, context.CancellationToken);
        LogReuseDetected(logger, isCode ? "authorization code" : "refresh token", context.Request?.ClientId,
            context.AuthorizationId, revoked);
        await auditLog.RecordReuseAsync(
            isCode ? AuditActions.AuthorizationCodeReplayed : AuditActions.RefreshTokenReused,
            context.Request?.ClientId, context.AuthorizationId, revoked, context.CancellationToken);
    }

    private async ValueTask<bool> IsWithinReuseLeewayAsync(ValidateTokenContext context, object token, string tokenType)
    {
        if (tokenType != TokenTypeIdentifiers.RefreshToken || context.Options.RefreshTokenReuseLeeway is not { } leeway)
        {
            return false;
        }

        var redeemed = await tokenManager.GetRedemptionDateAsync(token, context.CancellationToken);
        return redeemed is null || context.Options.TimeProvider.GetUtcNow() < redeemed.Value + leeway;
    }

    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning,
        Message = "Redeemed {TokenKind} presented again by client {ClientId}: grant {AuthorizationId} ended, {TokenCount} tokens revoked")]
    private static partial void LogReuseDetected(
        ILogger logger, string tokenKind, string? clientId, string authorizationId, long tokenCount);
}

/// <summary>
/// Redeems a refresh token exactly once when no reuse leeway is configured. OpenIddict 7.9
/// ignores a failed redemption of a refresh token, so concurrent requests that all read the
/// token before the first one marked it redeemed would each get a new token chain. Here the
/// requests that lose the race are rejected as reuse and end the family.
/// </summary>
internal sealed partial class RedeemRefreshTokenOnce(
    IOpenIddictTokenManager tokenManager,
    GrantService grants,
    AuditLog auditLog,
    IOptions<AuthorizationServerOptions> options,
    ILogger<RedeemRefreshTokenOnce> logger) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<RedeemRefreshTokenOnce>()
            .SetOrder(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType != OpenIddictServerEndpointType.Token
            || !context.Request.IsRefreshTokenGrantType()
            || options.Value.RefreshTokenReuseLeewaySeconds > 0)
        {
            return;
        }

        var authentication = context.Transaction.GetProperty<ProcessAuthenticationContext>(
            typeof(ProcessAuthenticationContext).FullName!);
        var tokenId = authentication?.RefreshTokenPrincipal?.GetTokenId();
        var token = string.IsNullOrEmpty(tokenId) ? null : await tokenManager.FindByIdAsync(tokenId, context.CancellationToken);
        if (token is null || await tokenManager.TryRedeemAsync(token, context.CancellationToken))
        {
            return;
        }

        var authorizationId = authentication!.RefreshTokenPrincipal!.GetAuthorizationId();
        long revoked = 0;
        if (!string.IsNullOrEmpty(authorizationId))
        {
            revoked = await grants.EndGrantFamilyAsync(authorizationId, context.CancellationToken);
            await auditLog.RecordReuseAsync(AuditActions.RefreshTokenReused, context.ClientId, authorizationId,
                revoked, context.CancellationToken);
        }

        LogConcurrentRefresh(logger, context.ClientId, authorizationId, revoked);
        context.Reject(Errors.InvalidGrant, "The refresh token has already been used.");
    }

    [LoggerMessage(EventId = 7402, Level = LogLevel.Warning,
        Message = "Refresh token of client {ClientId} redeemed concurrently: grant {AuthorizationId} ended, {TokenCount} tokens revoked")]
    private static partial void LogConcurrentRefresh(ILogger logger, string? clientId, string? authorizationId, long tokenCount);
}

internal static class ReuseAuditExtensions
{
    /// <summary>Records a replayed code or reused refresh token and the grant it ended.</summary>
    public static Task RecordReuseAsync(this AuditLog auditLog, string action, string? clientId,
        string authorizationId, long revokedTokens, CancellationToken cancellationToken) =>
        auditLog.RecordAsync(new AuditEvent
        {
            Action = action,
            ActorName = clientId,
            ClientId = clientId,
            SubjectType = "authorization",
            SubjectId = authorizationId,
            Details = $"Grant ended; {revokedTokens} tokens revoked.",
        }, cancellationToken);
}
