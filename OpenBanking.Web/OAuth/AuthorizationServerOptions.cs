using System.ComponentModel.DataAnnotations;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Settings of the authorization server, bound from the <c>AuthorizationServer</c> section.
/// </summary>
public sealed class AuthorizationServerOptions
{
    public const string SectionName = "AuthorizationServer";

    /// <summary>
    /// Absolute issuer URI placed in tokens and discovery. When empty, the issuer is the
    /// scheme and host of each request, which suits Development only.
    /// </summary>
    public Uri? Issuer { get; set; }

    [Range(60, 86_400)]
    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    [Range(300, 31_536_000)]
    public int RefreshTokenLifetimeSeconds { get; set; } = 86_400;

    /// <summary>Lifetime of an authorization code. RFC 9700 advises a short one; 60 s is the ceiling here.</summary>
    [Range(5, 60)]
    public int AuthorizationCodeLifetimeSeconds { get; set; } = 60;

    /// <summary>
    /// Seconds during which a refresh token that was already used may be used again, for clients
    /// that send concurrent refreshes. Zero means none: any reuse is treated as theft and ends
    /// every token of the grant.
    /// </summary>
    [Range(0, 60)]
    public int RefreshTokenReuseLeewaySeconds { get; set; }

    /// <summary>
    /// Seconds by which the bank API accepts an access token past its expiry, to absorb clock
    /// differences between servers. RFC 9700 leaves the value open; 30 s is the ceiling here.
    /// </summary>
    [Range(0, 30)]
    public int ClockSkewSeconds { get; set; }

    /// <summary>
    /// Maximum length in characters of any one parameter of an OAuth request. Longer values are
    /// rejected with invalid_request before any lookup. Refresh tokens are the longest values
    /// the server itself issues, at about 2,000 characters.
    /// </summary>
    [Range(1024, 65_536)]
    public int MaxParameterLength { get; set; } = 8192;

    /// <summary>
    /// Maximum length in characters of the <c>state</c> parameter. A longer state is rejected
    /// rather than shortened, so a client always gets its state back byte for byte or an error.
    /// </summary>
    [Range(64, 4096)]
    public int MaxStateLength { get; set; } = 1024;

    /// <summary>
    /// Maximum size in bytes of a request body sent to the OAuth endpoints (/o/) and the login
    /// page. A larger body is answered with 413 before it is read.
    /// </summary>
    [Range(4096, 1_048_576)]
    public int MaxRequestBodyBytes { get; set; } = 65_536;

    /// <summary>Seconds to wait for an application's JWKS document when it is registered by URL.</summary>
    [Range(1, 30)]
    public int JwksFetchTimeoutSeconds { get; set; } = 5;

    /// <summary>Seconds a JWKS document fetched from an application's URL is reused before it is fetched again.</summary>
    [Range(0, 86_400)]
    public int JwksCacheSeconds { get; set; } = 300;

    /// <summary>PKCS#12 file with the private key that signs tokens. Required outside Development.</summary>
    public CertificateOptions? SigningCertificate { get; set; }

    /// <summary>PKCS#12 file with the private key that encrypts tokens. Required outside Development.</summary>
    public CertificateOptions? EncryptionCertificate { get; set; }
}

public sealed class CertificateOptions
{
    public string? Path { get; set; }

    public string? Password { get; set; }
}
