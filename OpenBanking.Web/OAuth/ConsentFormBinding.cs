using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Ties a consent form to the request it was shown for. The page carries a protected digest of
/// the customer, the request's parameters and the scopes listed; Allow and Deny accept the form
/// only when the request they receive has the same digest. With authorization request caching
/// the form holds just client_id and request_uri, and this check makes swapping either one
/// (for another pending request) fail instead of approving a request the customer never saw.
/// </summary>
public sealed class ConsentFormBinding(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public const string FieldName = "consent_binding";

    /// <summary>How long a consent page can stay open before its form stops working.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private ITimeLimitedDataProtector Protector =>
        dataProtection.CreateProtector("OpenBanking.ConsentForm").ToTimeLimitedDataProtector();

    public string Create(string customerId, OpenIddictRequest request, IEnumerable<string> scopes) =>
        Protector.Protect(Digest(customerId, request, scopes), clock.GetUtcNow() + Lifetime);

    /// <summary>Returns true when <paramref name="binding"/> was issued for exactly this customer, request and scopes.</summary>
    public bool Matches(string? binding, string customerId, OpenIddictRequest request, IEnumerable<string> scopes)
    {
        if (string.IsNullOrEmpty(binding))
        {
            return false;
        }

        string issued;
        try
        {
            issued = Protector.Unprotect(binding, out var expiration);
            if (expiration < clock.GetUtcNow())
            {
                return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(issued), Encoding.UTF8.GetBytes(Digest(customerId, request, scopes)));
    }

    // Every parameter that decides what is granted and where the code goes, in a fixed order.
    private static string Digest(string customerId, OpenIddictRequest request, IEnumerable<string> scopes)
    {
        var parts = new[]
        {
            customerId,
            request.ClientId,
            request.RequestUri,
            request.RedirectUri,
            request.ResponseType,
            request.CodeChallenge,
            request.State,
            request.Nonce,
            string.Join(' ', scopes.Order(StringComparer.Ordinal)),
        };
        var text = string.Join('\n', parts.Select(part => part ?? string.Empty));

        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
