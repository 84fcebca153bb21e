using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>Second step of signing in with a one-time recovery code in place of the authenticator.</summary>
[AllowAnonymous]
public sealed partial class LoginWithRecoveryCodeModel(
    SignInManager<BankUser> signInManager,
    CustomerAudit audit,
    ILogger<LoginWithRecoveryCodeModel> logger) : PageModel
{
    [BindProperty]
    public RecoveryCodeInput Input { get; set; } = new();

    public string ReturnUrl { get; private set; } = ReturnUrls.Default;

    public async Task<IActionResult> OnGetAsync(string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        return await signInManager.GetTwoFactorAuthenticationUserAsync() is null
            ? RedirectToPage("./Login", new { ReturnUrl })
            : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("./Login", new { ReturnUrl });
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        // Recovery codes are stored with their dash (xxxxx-xxxxx), so only spaces are removed.
        var code = Input.RecoveryCode.Replace(" ", string.Empty, StringComparison.Ordinal);
        var result = await signInManager.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded)
        {
            LogSignedIn(logger, user.Id);
            await audit.RecordAsync(AuditActions.LoginSucceeded, user, user.Email, details: "recovery code");
            return LocalRedirect(ReturnUrl);
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditActions.LockedOut, user, user.Email, details: "recovery code");
            return RedirectToPage("./Lockout");
        }

        await audit.RecordAsync(AuditActions.LoginFailed, user, user.Email, details: "wrong recovery code");
        ModelState.AddModelError(string.Empty, "The recovery code is not valid or was already used.");
        return Page();
    }

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information,
        Message = "User {UserId} signed in with a recovery code")]
    private static partial void LogSignedIn(ILogger logger, string userId);
}

public sealed class RecoveryCodeInput
{
    [Required(ErrorMessage = "Enter a recovery code.")]
    [StringLength(32)]
    public string RecoveryCode { get; set; } = string.Empty;
}
