using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Names of the per-application security settings stored on an OpenIddict application, which
/// operators set in the admin portal and the server's event handlers enforce.
/// </summary>
public static class ApplicationSecurity
{
    /// <summary>
    /// Requirement (in <see cref="OpenIddictApplicationDescriptor.Requirements"/>) that makes the
    /// application send every authorization request through the pushed authorization request
    /// endpoint (RFC 9126). OpenIddict enforces it.
    /// </summary>
    public const string RequirePushedAuthorizationRequests = Requirements.Features.PushedAuthorizationRequests;

    /// <summary>
    /// Property (in <see cref="OpenIddictApplicationDescriptor.Properties"/>, JSON <c>true</c>) that
    /// puts the application under the FAPI 2.0 security profile: pushed authorization requests,
    /// private_key_jwt client authentication, PKCE with S256 and authorization codes that live at
    /// most <see cref="Fapi2MaxCodeLifetime"/>.
    /// </summary>
    public const string Fapi2ProfileProperty = "fapi2_profile";

    /// <summary>
    /// Property (JSON string) with the HTTPS address of the application's JWKS document, for
    /// private_key_jwt client authentication (RFC 7523). A key set stored in
    /// <see cref="OpenIddictApplicationDescriptor.JsonWebKeySet"/> takes precedence.
    /// </summary>
    public const string JwksUriProperty = "jwks_uri";

    /// <summary>Longest authorization code lifetime the FAPI 2.0 profile allows.</summary>
    public static readonly TimeSpan Fapi2MaxCodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Returns whether the application is under the FAPI 2.0 profile.</summary>
    public static async ValueTask<bool> IsFapi2Async(
        this IOpenIddictApplicationManager applicationManager, object application, CancellationToken cancellationToken)
    {
        var properties = await applicationManager.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(Fapi2ProfileProperty, out var value) && value.ValueKind == JsonValueKind.True;
    }

    /// <summary>Returns the application's registered JWKS address, or null when it has none.</summary>
    public static async ValueTask<Uri?> GetJwksUriAsync(
        this IOpenIddictApplicationManager applicationManager, object application, CancellationToken cancellationToken)
    {
        var properties = await applicationManager.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(JwksUriProperty, out var value)
            && value.ValueKind == JsonValueKind.String
            && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri)
                ? uri
                : null;
    }
}
