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
