using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace OpenBanking.Web.Identity;

/// <summary>
/// Limits the Identity UI area to the account pages this bank serves, each of which is
/// replaced by a page in Areas/Identity/Pages/Account. The package's other pages stay
/// unreachable (404): the account management pages, because /account/security replaces them,
/// and the personal-data deletion page, because the ledger keeps every customer's records.
/// </summary>
internal static class IdentityPages
{
    private static readonly HashSet<string> Served = new(StringComparer.OrdinalIgnoreCase)
    {
        "/Account/AccessDenied",
        "/Account/ForgotPassword",
        "/Account/ForgotPasswordConfirmation",
        "/Account/Lockout",
        "/Account/Login",
        "/Account/LoginWith2fa",
        "/Account/LoginWithRecoveryCode",
        "/Account/Logout",
        "/Account/Register",
        "/Account/ResetPassword",
        "/Account/ResetPasswordConfirmation",
    };

    public static void HideUnservedPage(PageRouteModel page)
    {
        if (!Served.Contains(page.ViewEnginePath))
        {
            page.Selectors.Clear();
        }
    }
}
