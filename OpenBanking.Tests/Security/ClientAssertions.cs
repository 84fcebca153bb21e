using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OpenBanking.Tests.Security;

/// <summary>An application's RSA key pair and the private_key_jwt client assertions it signs (RFC 7523).</summary>
public sealed class ClientKey : IDisposable
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly RSA _rsa = RSA.Create(2048);

    public string KeyId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The public key as a JWKS document.</summary>
    public JsonWebKeySet PublicKeySet
    {
        get
        {
            var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = KeyId });
            key.Use = "sig";
            key.Alg = SecurityAlgorithms.RsaSha256;
            var set = new JsonWebKeySet();
            set.Keys.Add(key);
            return set;
        }
    }

    public string PublicKeySetJson => System.Text.Json.JsonSerializer.Serialize(new
    {
        keys = PublicKeySet.Keys.Select(key => new { kty = key.Kty, use = key.Use, alg = key.Alg, kid = key.Kid, n = key.N, e = key.E }),
    });

    /// <summary>Signs a client assertion; each argument can be bent to build an invalid one.</summary>
    public string CreateAssertion(string clientId, string audience = "http://localhost/", string? subject = null,
        TimeSpan? lifetime = null, string tokenType = "client-authentication+jwt")
    {
        var expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromMinutes(1));
        var issued = expires - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            TokenType = tokenType,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = subject ?? clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(_rsa.ExportParameters(true)) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public Dictionary<string, string?> Credentials(string clientId, string? assertion = null) => new()
    {
        ["client_id"] = clientId,
        ["client_assertion_type"] = AssertionType,
        ["client_assertion"] = assertion ?? CreateAssertion(clientId),
    };

    public void Dispose() => _rsa.Dispose();
}
