using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Second step of signing in for a login with two-factor authentication: a TOTP code from the
/// customer's authenticator app (RFC 6238). Wrong codes count towards lockout like wrong passwords.
/// </summary>
[AllowAnonymous]
public sealed partial class LoginWith2faModel(
    SignInManager<BankUser> signInManager,
    CustomerAudit audit,
    ILogger<LoginWith2faModel> logger) : PageModel
{
    [BindProperty]
    public TwoFactorInput Input { get; set; } = new();

    public string ReturnUrl { get; private set; } = ReturnUrls.Default;

    public bool RememberMe { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool rememberMe, string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        RememberMe = rememberMe;

        // Only reachable after a correct password, which leaves a short-lived two-factor cookie.
        return await signInManager.GetTwoFactorAuthenticationUserAsync() is null
            ? RedirectToPage("./Login", new { ReturnUrl })
            : Page();
    }

    public async Task<IActionResult> OnPostAsync(bool rememberMe, string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        RememberMe = rememberMe;
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("./Login", new { ReturnUrl });
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var code = TwoFactorCodes.Normalize(Input.Code);
        var result = await signInManager.TwoFactorAuthenticatorSignInAsync(code, rememberMe, Input.RememberMachine);
        if (result.Succeeded)
        {
            LogSignedIn(logger, user.Id);
            await audit.RecordAsync(AuditActions.LoginSucceeded, user, user.Email, details: "authenticator app");
            return LocalRedirect(ReturnUrl);
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AuditActions.LockedOut, user, user.Email, details: "authenticator app");
            return RedirectToPage("./Lockout");
        }

        LogFailed(logger, user.Id);
        await audit.RecordAsync(AuditActions.LoginFailed, user, user.Email, details: "wrong authenticator code");
        ModelState.AddModelError(string.Empty, "The code is not valid. Enter the code your app shows now.");
        return Page();
    }

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "User {UserId} signed in with an authenticator code")]
    private static partial void LogSignedIn(ILogger logger, string userId);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information,
        Message = "Invalid authenticator code for user {UserId}")]
    private static partial void LogFailed(ILogger logger, string userId);
}

public sealed class TwoFactorInput
{
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [StringLength(10, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
    public string Code { get; set; } = string.Empty;

    public bool RememberMachine { get; set; }
}

internal static class TwoFactorCodes
{
    /// <summary>Removes the spaces and dashes people type or paste into codes.</summary>
    public static string Normalize(string code) =>
        code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
}
