using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Areas.Identity.Pages.Account;

/// <summary>
/// Creates a customer login together with a zero-balance current account, so the bank API
/// works for the new customer at once. Returns 404 unless <see cref="SignInSettings.AllowRegistration"/>
/// is on (the default only in Development).
/// </summary>
[AllowAnonymous]
public sealed partial class RegisterModel(
    UserManager<BankUser> userManager,
    SignInManager<BankUser> signInManager,
    AccountService accounts,
    BankDbContext db,
    IOptions<SignInSettings> settings,
    TimeProvider clock,
    CustomerAudit audit,
    ILogger<RegisterModel> logger) : PageModel
{
    public const string AccountName = "Current account";

    [BindProperty]
    public RegisterInput Input { get; set; } = new();

    public string ReturnUrl { get; private set; } = ReturnUrls.Default;

    public IActionResult OnGet(string? returnUrl = null)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        return settings.Value.AllowRegistration ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken cancellationToken)
    {
        ReturnUrl = ReturnUrls.Local(Url, returnUrl);
        if (!settings.Value.AllowRegistration)
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = new BankUser
        {
            UserName = Input.Email,
            Email = Input.Email,
            DisplayName = Input.DisplayName.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };

        // The login and its account are created together or not at all. UserManager and
        // AccountService share this request's DbContext, so one transaction covers both.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await userManager.CreateAsync(user, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }

            return Page();
        }

        var account = await accounts.OpenAsync(AccountName, AccountKind.Customer, user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        LogRegistered(logger, user.Id, account.Id);
        await audit.RecordAsync(AuditActions.CustomerRegistered, user, user.Email, details: $"account {account.Number}");
        await signInManager.SignInAsync(user, isPersistent: false);
        return LocalRedirect(ReturnUrl);
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information,
        Message = "Customer {UserId} registered with account {AccountId}")]
    private static partial void LogRegistered(ILogger logger, string userId, long accountId);
}

public sealed class RegisterInput
{
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(100, ErrorMessage = "Your name can have at most 100 characters.")]
    public string DisplayName { get; set; } = string.Empty;

    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address, such as name@example.com.")]
    [StringLength(256)]
    public string Email { get; set; } = string.Empty;

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = 12, ErrorMessage = "The password needs 12 to 128 characters.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = string.Empty;

    [DataType(DataType.Password)]
    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    public string ConfirmPassword { get; set; } = string.Empty;
}
