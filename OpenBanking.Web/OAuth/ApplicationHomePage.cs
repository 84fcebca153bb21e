using System.Text.Json;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// The home page an application registered with the bank, kept as the OpenIddict application
/// property <c>home_page</c> (a JSON string holding an absolute http or https URI). The consent
/// and connected-apps pages show it so customers can check who they deal with.
/// </summary>
public static class ApplicationHomePage
{
    public const string PropertyName = "home_page";

    /// <summary>Returns the application's home page, or null when it has none or an unusable one.</summary>
    public static async Task<Uri?> GetHomePageAsync(
        this IOpenIddictApplicationManager applicationManager, object application, CancellationToken cancellationToken)
    {
        var properties = await applicationManager.GetPropertiesAsync(application, cancellationToken);
        if (!properties.TryGetValue(PropertyName, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return Parse(value.GetString());
    }

    /// <summary>Parses an absolute http or https URI; anything else (javascript:, data:, relative) is null.</summary>
    public static Uri? Parse(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : null;
}
