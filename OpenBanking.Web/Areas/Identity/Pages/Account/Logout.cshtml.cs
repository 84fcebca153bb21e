using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>Ends the browser session. Signing out is a POST with an antiforgery token, so no link can do it.</summary>
[AllowAnonymous]
public sealed partial class LogoutModel(
    SignInManager<BankUser> signInManager,
    CustomerAudit audit,
    ILogger<LogoutModel> logger) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        var user = await signInManager.UserManager.GetUserAsync(User);
        await signInManager.SignOutAsync();
        if (user is not null)
        {
            LogSignedOut(logger, user.Id);
            await audit.RecordAsync(AuditActions.SignedOut, user, user.Email);
        }

        // A fresh request, so the page renders without the old session.
        return Url.IsLocalUrl(returnUrl) ? LocalRedirect(returnUrl) : RedirectToPage();
    }

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "User {UserId} signed out")]
    private static partial void LogSignedOut(ILogger logger, string userId);
}
