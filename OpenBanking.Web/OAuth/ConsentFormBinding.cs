using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Ties a consent form to the request it was shown for. The page carries a protected digest of
/// the customer, the request's parameters and the scopes listed; Allow and Deny accept the form
/// only when the request they receive has the same digest. With authorization request caching
/// the form contains just client_id and request_uri, and this check makes swapping either one
/// (for another pending request) fail instead of approving a request the customer never saw.
/// The names of the request parameters the form carries are part of the digest too, so a
/// parameter added to the form (a redirect_uri, say) is rejected rather than silently ignored.
/// </summary>
public sealed class ConsentFormBinding(IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public const string FieldName = "consent_binding";

    /// <summary>How long a consent page can stay open before its form stops working.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private ITimeLimitedDataProtector Protector =>
        dataProtection.CreateProtector("OpenBanking.ConsentForm").ToTimeLimitedDataProtector();

    /// <summary>
    /// Returns whether a form field is a parameter of the authorization request, as opposed to a
    /// field of the consent form itself (buttons, antiforgery token, ticked scopes, binding).
    /// </summary>
    public static bool IsRequestParameter(string name) =>
        !name.StartsWith("submit.", StringComparison.Ordinal)
        && name is not "__RequestVerificationToken" and not "granted_scope" and not FieldName;

    public string Create(
        string customerId, OpenIddictRequest request, IEnumerable<string> scopes, IEnumerable<string> formParameters) =>
        Protector.Protect(Digest(customerId, request, scopes, formParameters), clock.GetUtcNow() + Lifetime);

    /// <summary>
    /// Returns true when <paramref name="binding"/> was issued for exactly this customer, request,
    /// scopes and set of request parameters in the form.
    /// </summary>
    public bool Matches(
        string? binding, string customerId, OpenIddictRequest request, IEnumerable<string> scopes,
        IEnumerable<string> formParameters)
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
            Encoding.UTF8.GetBytes(issued), Encoding.UTF8.GetBytes(Digest(customerId, request, scopes, formParameters)));
    }

    // Every parameter that decides what is granted and where the code goes, in a fixed order.
    private static string Digest(
        string customerId, OpenIddictRequest request, IEnumerable<string> scopes, IEnumerable<string> formParameters)
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
            string.Join(' ', formParameters.Where(IsRequestParameter).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
        };
        var text = string.Join('\n', parts.Select(part => part ?? string.Empty));

        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
