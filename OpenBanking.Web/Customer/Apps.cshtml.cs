using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenBanking.Web.OAuth;

namespace OpenBanking.Web.Customer;

/// <summary>
/// The applications the customer granted access to. "Remove access" withdraws the consent and
/// revokes every authorization and token the application holds for the customer.
/// </summary>
[Authorize]
public sealed partial class AppsModel(
    UserManager<BankUser> userManager,
    ConnectedApps connectedApps,
    GrantService grants,
    CustomerAudit audit,
    ILogger<AppsModel> logger) : PageModel
{
    public IReadOnlyList<ConnectedApp> Apps { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (userManager.GetUserId(User) is not { } userId)
        {
            return Challenge();
        }

        Apps = await connectedApps.ListAsync(userId, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? clientId, CancellationToken cancellationToken)
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        // Only an application on the customer's own list can be removed.
        var apps = await connectedApps.ListAsync(user.Id, cancellationToken);
        if (apps.FirstOrDefault(app => app.ClientId == clientId) is not { } app)
        {
            StatusMessage = "That application has no access to your account.";
            return RedirectToPage();
        }

        var tokens = await grants.RevokeCustomerAccessAsync(user.Id, app.ClientId, cancellationToken);
        LogRemoved(logger, user.Id, app.ClientId, tokens);
        await audit.RecordAsync(AuditActions.ConsentRevoked, user, user.Email, app.ClientId,
            details: $"removed by the customer; {tokens} tokens revoked");

        StatusMessage = $"{app.DisplayName} no longer has access to your account.";
        return RedirectToPage();
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information,
        Message = "Customer {CustomerId} removed the access of client {ClientId}; {TokenCount} tokens revoked")]
    private static partial void LogRemoved(ILogger logger, string customerId, string clientId, long tokenCount);
}
