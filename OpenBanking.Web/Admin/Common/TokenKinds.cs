using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Common;

/// <summary>
/// Token types as OpenIddict 7 stores them in the token table (URNs), with the short names the
/// portal shows. OpenIddict also stores request tokens of cached authorization requests.
/// </summary>
public static class TokenKinds
{
    public const string AccessToken = TokenTypeIdentifiers.AccessToken;

    public const string RefreshToken = TokenTypeIdentifiers.RefreshToken;

    public const string AuthorizationCode = TokenTypeIdentifiers.Private.AuthorizationCode;

    /// <summary>The types an operator can filter on, with their labels.</summary>
    public static IReadOnlyList<(string Type, string Label)> Filterable { get; } =
    [
        (AccessToken, "access token"),
        (RefreshToken, "refresh token"),
        (AuthorizationCode, "authorization code"),
    ];

    /// <summary>Returns the short name of a stored token type, such as "access token".</summary>
    public static string Label(string? type) => type switch
    {
        AccessToken => "access token",
        RefreshToken => "refresh token",
        AuthorizationCode => "authorization code",
        TokenTypeIdentifiers.Private.RequestToken => "request token",
        null => "unknown",
        _ => type,
    };
}
