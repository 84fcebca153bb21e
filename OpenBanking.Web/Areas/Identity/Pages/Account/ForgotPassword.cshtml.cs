using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Emails a password reset link with a token from Identity's token provider. The page returns
/// the same confirmation whether or not the email belongs to a login, so it cannot be used to
/// find customers.
/// </summary>
[AllowAnonymous]
public sealed class ForgotPasswordModel(
    UserManager<BankUser> userManager,
    IEmailSender<BankUser> emailSender,
    IOptions<EmailSettings> emailSettings,
    CustomerAudit audit) : PageModel
{
    [BindProperty]
    public ForgotPasswordInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await userManager.FindByEmailAsync(Input.Email);
        if (user?.Email is not null)
        {
            var token = await userManager.GeneratePasswordResetTokenAsync(user);
            var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
            var link = ResetLink(code, user.Email);
            await emailSender.SendPasswordResetLinkAsync(user, user.Email, HtmlEncoder.Default.Encode(link));
            await audit.RecordAsync(AuditActions.PasswordResetRequested, user, user.Email);
        }

        return RedirectToPage("./ForgotPasswordConfirmation");
    }

    // Links point to the configured public address when there is one, because the client sets
    // the Host header of the request and could point a reset link at its own server.
    private string ResetLink(string code, string email)
    {
        var path = Url.Page("/Account/ResetPassword", pageHandler: null, values: new { area = "Identity", code, email })
            ?? throw new InvalidOperationException("The reset password page has no route.");
        var baseUrl = emailSettings.Value.LinkBaseUrl ?? new Uri($"{Request.Scheme}://{Request.Host}");

        return new Uri(baseUrl, path).ToString();
    }
}

public sealed class ForgotPasswordInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address, such as name@example.com.")]
    [StringLength(256)]
    public string Email { get; set; } = string.Empty;
}
