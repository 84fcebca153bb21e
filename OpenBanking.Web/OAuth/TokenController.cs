using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// The token endpoint. OpenIddict has already authenticated the client and validated the code
/// (with its PKCE verifier) or the refresh token; this action decides what the new tokens carry.
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
public sealed partial class TokenController(
    IOpenIddictApplicationManager applicationManager,
    PrincipalFactory principals,
    ILogger<TokenController> logger) : ControllerBase
{
    [HttpPost("~/o/token/")]
    [IgnoreAntiforgeryToken]
    [Produces("application/json")]
    public async Task<IActionResult> Exchange(CancellationToken cancellationToken)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsClientCredentialsGrantType())
        {
            return await ExchangeClientCredentialsAsync(request, cancellationToken);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            return await ExchangeGrantAsync(request, cancellationToken);
        }

        // OpenIddict rejects every other grant type before this action runs.
        throw new InvalidOperationException($"The grant type '{request.GrantType}' is not supported.");
    }

    private async Task<IActionResult> ExchangeGrantAsync(OpenIddictRequest request, CancellationToken cancellationToken)
    {
        var result = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var stored = result.Principal
            ?? throw new InvalidOperationException("OpenIddict validated the grant but returned no principal.");

        // The new tokens keep the scopes of the original grant. A refresh request that names
        // fewer scopes gets an access token narrowed to them (OpenIddict does that, after
        // rejecting any scope beyond the grant), while the new refresh token keeps the original
        // scopes, as RFC 6749 section 6 requires, so a later refresh may widen back up to them.
        var principal = await principals.RefreshCustomerAsync(stored, stored.GetScopes(), cancellationToken);
        if (principal is null)
        {
            var customerId = stored.GetClaim(Claims.Subject);
            LogCustomerUnavailable(logger, customerId, request.ClientId);
            return OAuthResults.Reject(Errors.InvalidGrant, "The customer who granted this access can no longer sign in.");
        }

        return SignIn(principal, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private async Task<IActionResult> ExchangeClientCredentialsAsync(
        OpenIddictRequest request, CancellationToken cancellationToken)
    {
        var clientId = request.ClientId ?? throw new InvalidOperationException("The client was authenticated without an id.");
        var scopes = request.GetScopes();
        if (scopes.IsEmpty)
        {
            var application = await applicationManager.FindByClientIdAsync(clientId, cancellationToken)
                ?? throw new InvalidOperationException($"The authenticated client '{clientId}' no longer exists.");
            scopes = [.. await applicationManager.GetPermittedScopesAsync(application, cancellationToken)];
        }

        var principal = await principals.CreateForClientAsync(clientId, scopes, cancellationToken);
        return SignIn(principal, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Token request of client {ClientId} rejected: customer {CustomerId} is deleted or locked out")]
    private static partial void LogCustomerUnavailable(ILogger logger, string? customerId, string? clientId);
}
