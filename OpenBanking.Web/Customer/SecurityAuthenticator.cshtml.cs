using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using QRCoder;

namespace OpenBanking.Web.Customer;

/// <summary>
/// Enrols an authenticator app: shows the shared key (as text and as a QR code holding an
/// <c>otpauth://</c> URI) and turns two-factor authentication on once the app's first code checks out.
/// </summary>
[Authorize]
public sealed partial class SecurityAuthenticatorModel(
    UserManager<BankUser> userManager,
    SignInManager<BankUser> signInManager,
    CustomerAudit audit,
    ILogger<SecurityAuthenticatorModel> logger) : PageModel
{
    private const string Issuer = "OpenBanking";

    [BindProperty]
    public AuthenticatorInput Input { get; set; } = new();

    public string FormattedKey { get; private set; } = string.Empty;

    public string QrCodeSvg { get; private set; } = string.Empty;

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!ModelState.IsValid)
        {
            await LoadKeyAsync(user);
            return Page();
        }

        var code = Input.Code.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        var valid = await userManager.VerifyTwoFactorTokenAsync(
            user, userManager.Options.Tokens.AuthenticatorTokenProvider, code);
        if (!valid)
        {
            ModelState.AddModelError(string.Empty, "The code is not valid. Check that the phone's clock is right and enter the code the app shows now.");
            await LoadKeyAsync(user);
            return Page();
        }

        await userManager.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = [.. await userManager.GenerateNewTwoFactorRecoveryCodesAsync(user, SecurityModel.RecoveryCodeCount) ?? []];
        await signInManager.RefreshSignInAsync(user);
        LogEnabled(logger, user.Id);
        await audit.RecordAsync(AuditActions.TwoFactorEnabled, user, user.Email);
        return Page();
    }

    private async Task LoadKeyAsync(BankUser user)
    {
        var key = await userManager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await userManager.ResetAuthenticatorKeyAsync(user);
            key = await userManager.GetAuthenticatorKeyAsync(user)
                ?? throw new InvalidOperationException("Identity stored no authenticator key.");
        }

        FormattedKey = FormatKey(key);
        QrCodeSvg = RenderQrCode(AuthenticatorUri(user.Email ?? user.UserName ?? user.Id, key));
    }

    // Groups of four are easier to type; authenticator apps ignore the spaces and the case.
    private static string FormatKey(string key)
    {
        var formatted = new StringBuilder();
        for (var index = 0; index < key.Length; index += 4)
        {
            formatted.Append(key.AsSpan(index, Math.Min(4, key.Length - index))).Append(' ');
        }

        return formatted.ToString().TrimEnd().ToLowerInvariant();
    }

    // The key URI format that authenticator apps read: otpauth://totp/Issuer:account?secret=...&issuer=...
    private static string AuthenticatorUri(string account, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}"
        + $"?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";

    private static string RenderQrCode(string content)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCodeGenerator.ECCLevel.Q);
        return new SvgQRCode(data).GetGraphic(4);
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "User {UserId} turned on two-factor authentication")]
    private static partial void LogEnabled(ILogger logger, string userId);
}

public sealed class AuthenticatorInput
{
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [StringLength(10, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
    public string Code { get; set; } = string.Empty;
}
