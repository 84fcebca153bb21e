using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Signs a customer or operator in with email and password. Failed passwords count towards
/// lockout, every outcome is written to the audit log, and the return URL can only lead to a
/// page of this site.
/// </summary>
[AllowAnonymous]
public sealed partial class LoginModel(
    SignInManager<BankUser> signInManager,
    IOptions<SignInSettings> settings,
    CustomerAudit audit,
    ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string ReturnUrl { get; private set; } = ReturnUrls.Default;

    public bool RegistrationAllowed => settings.Value.AllowRegistration;

    /// <summary>Whether the customer was sent here by an application's authorization request.</summary>
    public bool FromAuthorization => ReturnUrl.StartsWith("/o/authorize", StringComparison.Ordinal);

    public async Task OnGetAsync(string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signInManager.PasswordSignInAsync(
            Input.Email, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        var user = await signInManager.UserManager.FindByNameAsync(Input.Email);
        if (result.Succeeded)
        {
            LogSignedIn(logger, user?.Id);
            await audit.RecordAsync(AuditActions.LoginSucceeded, user, Input.Email, details: "password");
            return LocalRedirect(ReturnUrl);
        }

        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("./LoginWith2fa", new { ReturnUrl, Input.RememberMe });
        }

        if (result.IsLockedOut)
        {
            LogLockedOut(logger, user?.Id);
            await audit.RecordAsync(AuditActions.LockedOut, user, Input.Email);
            return RedirectToPage("./Lockout");
        }

        LogFailed(logger, user?.Id);
        await audit.RecordAsync(AuditActions.LoginFailed, user, Input.Email,
            details: user is null ? "unknown email" : "wrong password");
        ModelState.AddModelError(string.Empty, "The email or password is incorrect.");
        return Page();
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "User {UserId} signed in with a password")]
    private static partial void LogSignedIn(ILogger logger, string? userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Failed sign-in for user {UserId}")]
    private static partial void LogFailed(ILogger logger, string? userId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "User {UserId} is locked out")]
    private static partial void LogLockedOut(ILogger logger, string? userId);
}

public sealed class LoginInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address, such as name@example.com.")]
    [StringLength(256)]
    public string Email { get; set; } = string.Empty;

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = string.Empty;

    public bool RememberMe { get; set; }
}
