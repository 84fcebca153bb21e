using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Replaces the Identity UI login page so that failed passwords count towards lockout and the
/// return URL can only lead to a page of this site.
/// </summary>
[AllowAnonymous]
public sealed partial class LoginModel(
    SignInManager<BankUser> signInManager,
    IOptions<SignInSettings> settings,
    ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    public string ReturnUrl { get; private set; } = "/";

    public bool RegistrationAllowed => settings.Value.AllowRegistration;

    public async Task OnGetAsync(string? returnUrl = null)
    {
        ReturnUrl = LocalReturnUrl(returnUrl);
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        ReturnUrl = LocalReturnUrl(returnUrl);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signInManager.PasswordSignInAsync(
            Input.Email, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            LogSignedIn(logger, Input.Email);
            return LocalRedirect(ReturnUrl);
        }

        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("./LoginWith2fa", new { ReturnUrl, Input.RememberMe });
        }

        if (result.IsLockedOut)
        {
            LogLockedOut(logger, Input.Email);
            return RedirectToPage("./Lockout");
        }

        LogFailed(logger, Input.Email);
        ModelState.AddModelError(string.Empty, "The email or password is incorrect.");
        return Page();
    }

    // Only a path on this site is accepted; anything else, encoded or not, falls back to the home page.
    private string LocalReturnUrl(string? returnUrl) => Url.IsLocalUrl(returnUrl) ? returnUrl! : "/";

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "User {Email} signed in")]
    private static partial void LogSignedIn(ILogger logger, string email);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Failed sign-in for {Email}")]
    private static partial void LogFailed(ILogger logger, string email);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "User {Email} is locked out")]
    private static partial void LogLockedOut(ILogger logger, string email);
}

public sealed class LoginInput
{
    [Required]
    [EmailAddress]
    public string Email { get; set; } = string.Empty;

    [Required]
    [DataType(DataType.Password)]
    public string Password { get; set; } = string.Empty;

    public bool RememberMe { get; set; }
}
