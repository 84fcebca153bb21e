using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Customer;

/// <summary>The customer's accounts with balances, and the ledger entries of one account, a page at a time.</summary>
[Authorize]
public sealed class AccountsModel(UserManager<BankUser> userManager, AccountActivity activity) : PageModel
{
    public IReadOnlyList<AccountSummary> Accounts { get; private set; } = [];

    public AccountSummary? Selected { get; private set; }

    public LedgerPage? Entries { get; private set; }

    // Razor Pages reserves the route value "page" for the page's own name, hence pageNumber.
    public async Task<IActionResult> OnGetAsync(
        string? account, int pageNumber = 1, CancellationToken cancellationToken = default)
    {
        var userId = userManager.GetUserId(User);
        if (userId is null)
        {
            return Challenge();
        }

        Accounts = await activity.ListAccountsAsync(userId, cancellationToken);

        // Only the customer's own accounts can be chosen; another number falls back to the first.
        Selected = Accounts.FirstOrDefault(summary => summary.Account.Number == account) ?? (Accounts.Count > 0 ? Accounts[0] : null);
        if (Selected is not null)
        {
            Entries = await activity.GetEntriesAsync(Selected.Account.Id, pageNumber, cancellationToken);
        }

        return Page();
    }
}
