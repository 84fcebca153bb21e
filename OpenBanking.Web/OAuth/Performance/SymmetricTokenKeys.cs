using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace OpenBanking.Web.OAuth.Performance;

/// <summary>
/// Adds an HMAC-SHA256 signing key and an AES-256 key-wrap encryption key, both derived from the
/// private key of the configured encryption certificate, so that the tokens this server issues
/// for itself are signed and encrypted symmetrically.
/// </summary>
/// <remarks>
/// <para>
/// Access tokens, refresh tokens and authorization codes are read only by this host: the bank API
/// validates access tokens in-process (OpenIddict's local server validation), and clients treat
/// them as opaque because they are encrypted. No party needs a public key for them, so the
/// asymmetric keys only added cost: RSA-OAEP unwrapping was the largest cost of an API call in
/// profiles, and RSA signing one of the largest of the token endpoint. OpenIddict prefers symmetric keys over certificates when
/// both are registered (it sorts them first), and then protects these tokens with HS256 and
/// A256KW + A256CBC-HS512 JWE, each a few microseconds.
/// </para>
/// <para>
/// Identity tokens are read by clients: OpenIddict signs them only with asymmetric keys, so they
/// keep RS256 with the signing certificate (OpenID Connect Core 1.0 section 15.1 requires RS256
/// support), and /.well-known/jwks keeps publishing only that certificate's public key.
/// </para>
/// <para>
/// The keys are derived with HKDF-SHA256 from the encryption certificate's private key, which
/// is already the secret that protects these tokens. So no new secret has to be configured,
/// every instance with the same certificate derives the same keys, and tokens survive restarts.
/// Replacing the certificate replaces the keys and so ends the outstanding tokens, as replacing
/// the certificate alone did before.
/// </para>
/// </remarks>
public static class SymmetricTokenKeys
{
    private static readonly byte[] SigningInfo = Encoding.ASCII.GetBytes("OpenBanking token signing key v1");
    private static readonly byte[] EncryptionInfo = Encoding.ASCII.GetBytes("OpenBanking token encryption key v1");

    /// <summary>Adds the derived keys after the certificates that the server options already hold.</summary>
    public static void Add(OpenIddictServerOptions options)
    {
        var certificate = options.EncryptionCredentials
            .Select(credentials => credentials.Key)
            .OfType<X509SecurityKey>()
            .Select(key => key.Certificate)
            .FirstOrDefault(certificate => certificate.HasPrivateKey)
            ?? throw new InvalidOperationException(
                "No encryption certificate with a private key is registered, so no token keys can be derived from it.");

        var secret = ExportPrivateKey(certificate);
        try
        {
            var signingKey = CreateKey(secret, SigningInfo);
            var encryptionKey = CreateKey(secret, EncryptionInfo);
            options.SigningCredentials.Add(new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256));
            options.EncryptionCredentials.Add(new EncryptingCredentials(
                encryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static SymmetricSecurityKey CreateKey(byte[] secret, byte[] info)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, outputLength: 32, salt: [], info: info);

        // The key id names the key in token headers. A digest of the key reveals nothing about it.
        var id = Base64UrlEncoder.Encode(SHA256.HashData(key))[..16];
        return new SymmetricSecurityKey(key) { KeyId = id };
    }

    private static byte[] ExportPrivateKey(X509Certificate2 certificate)
    {
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is not null)
        {
            return rsa.ExportPkcs8PrivateKey();
        }

        using var ecdsa = certificate.GetECDsaPrivateKey()
            ?? throw new InvalidOperationException(
                $"The private key of encryption certificate {certificate.Thumbprint} is neither RSA nor ECDSA.");
        return ecdsa.ExportPkcs8PrivateKey();
    }
}
