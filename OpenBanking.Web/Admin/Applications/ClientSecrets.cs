using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenBanking.Web.Admin.Applications;

/// <summary>Generates client ids and client secrets.</summary>
public static class ClientSecrets
{
    /// <summary>Random bytes in a secret: 32 bytes give 256 bits of entropy.</summary>
    public const int SecretBytes = 32;

    /// <summary>Returns a new secret: 32 random bytes, base64url-encoded into 43 characters.</summary>
    public static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>Returns a suggested client id such as <c>app-3f9c2a1b7d4e8f60</c>.</summary>
    public static string NewClientId() => "app-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
