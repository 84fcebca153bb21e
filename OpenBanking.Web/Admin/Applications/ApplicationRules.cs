using System.Net;
using System.Text.RegularExpressions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Applications;

/// <summary>
/// Validation rules of the application form. Each method returns the message shown beside the
/// field, or null when the value is valid; the service applies the same rules before saving.
/// </summary>
public static partial class ApplicationRules
{
    public const int MaxClientIdLength = 100;

    public const int MaxDisplayNameLength = 200;

    public static IReadOnlyList<string> SupportedGrantTypes { get; } =
        [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials];

    public static IReadOnlyList<string> SupportedConsentTypes { get; } =
        [ConsentTypes.Explicit, ConsentTypes.Implicit, ConsentTypes.External, ConsentTypes.Systematic];

    // Schemes that run code or embed content in the browser instead of navigating to an application.
    private static readonly string[] ForbiddenSchemes = ["javascript", "data", "vbscript", "file", "blob"];

    public static string? ValidateClientId(string? clientId)
    {
        if (string.IsNullOrWhiteSpace(clientId))
        {
            return "The client id is required.";
        }

        if (clientId.Length is < 3 or > MaxClientIdLength)
        {
            return $"The client id must be 3 to {MaxClientIdLength} characters long.";
        }

        return ClientIdPattern().IsMatch(clientId)
            ? null
            : "The client id may contain only letters, digits, '.', '_' and '-'.";
    }

    public static string? ValidateDisplayName(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            return "The display name is required: the consent page shows it to customers.";
        }

        return displayName.Length > MaxDisplayNameLength
            ? $"The display name must be at most {MaxDisplayNameLength} characters long."
            : null;
    }

    public static string? ValidateClientType(string? clientType) =>
        clientType is ClientTypes.Confidential or ClientTypes.Public
            ? null
            : "The client type must be confidential or public.";

    public static string? ValidateConsentType(string? consentType) =>
        SupportedConsentTypes.Contains(consentType)
            ? null
            : $"The consent type must be one of: {string.Join(", ", SupportedConsentTypes)}.";

    public static string? ValidateGrantTypes(IReadOnlyCollection<string> grantTypes, string clientType)
    {
        if (grantTypes.Count == 0)
        {
            return "Choose at least one grant type.";
        }

        if (grantTypes.FirstOrDefault(grantType => !SupportedGrantTypes.Contains(grantType)) is { } unknown)
        {
            return $"The grant type '{unknown}' is not supported.";
        }

        if (grantTypes.Contains(GrantTypes.ClientCredentials) && clientType == ClientTypes.Public)
        {
            return "A public client cannot use client_credentials: it has no secret to authenticate with.";
        }

        return grantTypes.Contains(GrantTypes.RefreshToken) && !grantTypes.Contains(GrantTypes.AuthorizationCode)
            ? "refresh_token needs authorization_code: refresh tokens are issued only by the code flow."
            : null;
    }

    public static string? ValidateScopes(IReadOnlyCollection<string> scopes) =>
        scopes.Count == 0 ? "Choose at least one scope." : null;

    /// <summary>Validates the list of redirect URIs as a whole: presence and duplicates.</summary>
    public static string? ValidateRedirectUriList(IReadOnlyList<string> uris, IReadOnlyCollection<string> grantTypes)
    {
        if (grantTypes.Contains(GrantTypes.AuthorizationCode) && uris.Count == 0)
        {
            return "The authorization_code grant needs at least one redirect URI.";
        }

        var duplicate = uris.GroupBy(uri => uri, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        return duplicate is null ? null : $"The redirect URI '{duplicate.Key}' is listed twice.";
    }

    /// <summary>
    /// Validates one redirect URI: absolute, no fragment (RFC 6749 section 3.1.2), no wildcard,
    /// and https, except http on a loopback IP address and private-use schemes of native apps
    /// (RFC 8252 sections 7.1 and 7.3). Scripting schemes are rejected in any letter case.
    /// </summary>
    public static string? ValidateRedirectUri(string? value, string clientType)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "The redirect URI is empty: enter one or remove the line.";
        }

        // Browsers drop tabs and newlines inside URLs, which would hide "java\tscript:".
        if (value.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
        {
            return "The redirect URI must not contain spaces, tabs or other control characters.";
        }

        var scheme = value.Split(':', 2)[0].ToLowerInvariant();
        if (ForbiddenSchemes.Contains(scheme))
        {
            return $"The '{scheme}:' scheme is not allowed in a redirect URI.";
        }

        if (value.Contains('*', StringComparison.Ordinal))
        {
            return "Wildcards are not allowed: register each redirect URI exactly.";
        }

        // On Linux, Uri also parses "/callback" as an absolute file URI: require a scheme first.
        if (!SchemePrefix().IsMatch(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return "The redirect URI must be absolute, such as https://app.example/callback.";
        }

        if (value.Contains('#', StringComparison.Ordinal))
        {
            return "The redirect URI must not contain a fragment (#...).";
        }

        return ValidateScheme(uri, clientType);
    }

    private static string? ValidateScheme(Uri uri, string clientType)
    {
        switch (uri.Scheme)
        {
            case "https":
                return string.IsNullOrEmpty(uri.Host) ? "An https redirect URI needs a host name." : null;
            case "http" when uri.Host == "localhost":
                return "Use the loopback IP address (http://127.0.0.1 or http://[::1]) instead of localhost (RFC 8252 section 8.3).";
            case "http":
                return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)
                    ? null
                    : "http is allowed only on a loopback IP address such as http://127.0.0.1:8000/callback; use https.";
        }

        if (!uri.Scheme.Contains('.', StringComparison.Ordinal))
        {
            return $"The scheme '{uri.Scheme}' is not allowed: use https, loopback http, or a private-use scheme "
                + "based on a reversed domain name, such as com.example.app:/callback (RFC 8252 section 7.1).";
        }

        return clientType == ClientTypes.Public
            ? null
            : "Private-use schemes are for native apps: set the client type to public to use one.";
    }

    /// <summary>Returns every error of <paramref name="input"/>, keyed by field name.</summary>
    public static Dictionary<string, string> Validate(ApplicationInput input)
    {
        var errors = new Dictionary<string, string>();
        Add(errors, nameof(input.ClientId), ValidateClientId(input.ClientId));
        Add(errors, nameof(input.DisplayName), ValidateDisplayName(input.DisplayName));
        Add(errors, nameof(input.ClientType), ValidateClientType(input.ClientType));
        Add(errors, nameof(input.ConsentType), ValidateConsentType(input.ConsentType));
        Add(errors, nameof(input.GrantTypes), ValidateGrantTypes(input.GrantTypes, input.ClientType));
        Add(errors, nameof(input.Scopes), ValidateScopes(input.Scopes));
        Add(errors, nameof(input.RedirectUris), ValidateRedirectUriList(input.RedirectUris, input.GrantTypes));
        AddEach(errors, nameof(input.RedirectUris), input.RedirectUris, input.ClientType);
        AddEach(errors, nameof(input.PostLogoutRedirectUris), input.PostLogoutRedirectUris, input.ClientType);

        return errors;
    }

    private static void AddEach(Dictionary<string, string> errors, string field, List<string> uris, string clientType)
    {
        for (var index = 0; index < uris.Count; index++)
        {
            Add(errors, $"{field}[{index}]", ValidateRedirectUri(uris[index], clientType));
        }
    }

    private static void Add(Dictionary<string, string> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors[field] = error;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemePrefix();
}
