using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Data;

/// <summary>
/// Compiled queries of the bank API's hot paths. A compiled query skips EF Core's LINQ
/// translation and cache lookup on each call.
/// </summary>
public static class LedgerQueries
{
    private static readonly Func<BankDbContext, string, CancellationToken, Task<CustomerBalance?>> FindCustomerBalance =
        EF.CompileAsyncQuery((BankDbContext db, string customerId, CancellationToken cancellationToken) =>
            db.Accounts.AsNoTracking()
                .Where(account => account.OwnerId == customerId && account.Kind == AccountKind.Customer)
                .OrderBy(account => account.Id)
                .Select(account => new CustomerBalance(
                    account.Id,
                    account.Number,
                    account.Currency,
                    db.Postings
                        .Where(posting => posting.AccountId == account.Id)
                        .OrderByDescending(posting => posting.Id)
                        .Select(posting => (decimal?)posting.BalanceAfter)
                        .FirstOrDefault()))
                .FirstOrDefault());

    /// <summary>
    /// Returns the customer's main account (their oldest customer account) with the running
    /// balance of its newest posting, in one query; null when the customer has no account.
    /// </summary>
    public static Task<CustomerBalance?> FindCustomerBalanceAsync(
        this BankDbContext db, string customerId, CancellationToken cancellationToken) =>
        FindCustomerBalance(db, customerId, cancellationToken);
}

/// <summary>An account and its balance; the balance is null when the account has no postings.</summary>
public sealed record CustomerBalance(long AccountId, string Number, string Currency, decimal? Balance);
