using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

internal static class OAuthResults
{
    /// <summary>
    /// Returns a result that makes OpenIddict answer with an RFC 6749 error: a redirect to the
    /// client from the authorization endpoint, a JSON error from the token endpoint.
    /// </summary>
    public static ForbidResult Reject(string error, string description) =>
        new(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme,
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }));

    /// <summary>Lists the scopes the application is registered for.</summary>
    public static async Task<IReadOnlyList<string>> GetPermittedScopesAsync(
        this IOpenIddictApplicationManager applicationManager, object application, CancellationToken cancellationToken)
    {
        var permissions = await applicationManager.GetPermissionsAsync(application, cancellationToken);
        return [.. permissions
            .Where(permission => permission.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(permission => permission[Permissions.Prefixes.Scope.Length..])];
    }
}
