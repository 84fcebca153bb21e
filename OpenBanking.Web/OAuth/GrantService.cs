using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Ends grants. A customer's consent to an application is a permanent OpenIddict authorization;
/// each authorization code flow adds an ad-hoc authorization that owns that flow's tokens.
/// </summary>
public sealed partial class GrantService(
    IOpenIddictApplicationManager applicationManager,
    IOpenIddictAuthorizationManager authorizationManager,
    IOpenIddictTokenManager tokenManager,
    ILogger<GrantService> logger)
{
    /// <summary>
    /// Withdraws everything a customer granted an application: the consent, every ad-hoc
    /// grant, and all their tokens. Returns the number of tokens that ended.
    /// </summary>
    public async Task<long> RevokeCustomerAccessAsync(string customerId, string clientId, CancellationToken cancellationToken)
    {
        var application = await applicationManager.FindByClientIdAsync(clientId, cancellationToken);
        var applicationId = application is null ? null : await applicationManager.GetIdAsync(application, cancellationToken);
        if (applicationId is null)
        {
            return 0;
        }

        var authorizationIds = new List<string>();
        await foreach (var authorization in authorizationManager.FindAsync(
            customerId, applicationId, status: null, type: null, scopes: null, cancellationToken))
        {
            authorizationIds.Add(await authorizationManager.GetIdAsync(authorization, cancellationToken) ?? string.Empty);
        }

        long tokens = 0;
        foreach (var authorizationId in authorizationIds.Where(id => id.Length > 0))
        {
            tokens += await RevokeAuthorizationAsync(authorizationId, cancellationToken);
        }

        LogAccessRevoked(logger, customerId, clientId, authorizationIds.Count, tokens);
        return tokens;
    }

    /// <summary>Revokes one authorization and every token issued under it; returns the token count.</summary>
    public async Task<long> RevokeAuthorizationAsync(string authorizationId, CancellationToken cancellationToken)
    {
        var tokens = await tokenManager.RevokeByAuthorizationIdAsync(authorizationId, cancellationToken);
        var authorization = await authorizationManager.FindByIdAsync(authorizationId, cancellationToken);
        if (authorization is not null && await authorizationManager.HasStatusAsync(authorization, Statuses.Valid, cancellationToken))
        {
            await authorizationManager.TryRevokeAsync(authorization, cancellationToken);
        }

        return tokens;
    }

    /// <summary>
    /// Ends one grant family: every token issued under the authorization and, when it is the
    /// ad-hoc authorization of one authorization code flow, the authorization itself, so tokens
    /// that a concurrent request creates afterwards fail validation too. A customer's remembered
    /// consent (a permanent authorization) is left alone. Returns the number of tokens revoked.
    /// </summary>
    public async Task<long> EndGrantFamilyAsync(string authorizationId, CancellationToken cancellationToken)
    {
        var tokens = await tokenManager.RevokeByAuthorizationIdAsync(authorizationId, cancellationToken);
        var authorization = await authorizationManager.FindByIdAsync(authorizationId, cancellationToken);
        if (authorization is not null
            && await authorizationManager.HasTypeAsync(authorization, AuthorizationTypes.AdHoc, cancellationToken)
            && await authorizationManager.HasStatusAsync(authorization, Statuses.Valid, cancellationToken))
        {
            await authorizationManager.TryRevokeAsync(authorization, cancellationToken);
        }

        return tokens;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information,
        Message = "Access of client {ClientId} for customer {CustomerId} withdrawn: {AuthorizationCount} authorizations, {TokenCount} tokens")]
    private static partial void LogAccessRevoked(ILogger logger, string customerId, string clientId, int authorizationCount, long tokenCount);
}
