using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using OpenBanking.Web.OAuth.Performance;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Builds the claims principals that OpenIddict turns into codes and tokens.
/// </summary>
public sealed class PrincipalFactory(
    IOpenIddictScopeManager scopeManager, ScopeResourceCache scopeResources, UserManager<BankUser> userManager)
{
    /// <summary>Creates the principal of a customer who granted <paramref name="scopes"/>.</summary>
    public async Task<ClaimsPrincipal> CreateForCustomerAsync(
        BankUser user, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.Email, user.Email);

        return await WithScopesAsync(identity, scopes, cancellationToken);
    }

    /// <summary>
    /// Creates the principal of a customer again from the one stored in a code or refresh token,
    /// so a renamed customer gets current claims. Returns null when the customer was deleted or
    /// may no longer sign in (locked out).
    /// </summary>
    public async Task<ClaimsPrincipal?> RefreshCustomerAsync(
        ClaimsPrincipal stored, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var user = await userManager.FindByIdAsync(stored.GetClaim(Claims.Subject) ?? string.Empty);
        if (user is null || await userManager.IsLockedOutAsync(user))
        {
            return null;
        }

        return await CreateForCustomerAsync(user, scopes, cancellationToken);
    }

    /// <summary>Creates the principal of a client acting for itself (client credentials grant).</summary>
    public Task<ClaimsPrincipal> CreateForClientAsync(
        string clientId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId);

        return WithScopesAsync(identity, scopes, cancellationToken);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(authenticationType: "OpenBanking", nameType: Claims.Name, roleType: Claims.Role);

    private async Task<ClaimsPrincipal> WithScopesAsync(
        ClaimsIdentity identity, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        identity.SetScopes(scopes);
        identity.SetResources(await scopeResources.GetResourcesAsync(scopeManager, identity.GetScopes(), cancellationToken));
        identity.SetDestinations(GetDestinations);

        return new ClaimsPrincipal(identity);
    }

    // Claims reach the access token; name and email reach the identity token only when the
    // client asked for the matching OpenID Connect scope.
    private static IEnumerable<string> GetDestinations(Claim claim) => claim.Type switch
    {
        Claims.Name when claim.Subject!.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Email when claim.Subject!.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
        _ => [Destinations.AccessToken],
    };
}
