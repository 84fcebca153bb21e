using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Ledger;

/// <summary>Opens accounts and funds them from the bank's funding account.</summary>
public sealed class AccountService(BankDbContext db, LedgerService ledger, LedgerVersion version, TimeProvider clock)
{
    /// <summary>Number of the bank's funding account, the source of opening balances.</summary>
    public const string FundingAccountNumber = "OB-FUNDING";

    public async Task<Account> OpenAsync(
        string name, AccountKind kind, string? ownerId, CancellationToken cancellationToken, string? number = null)
    {
        var account = new Account
        {
            Number = number ?? NewAccountNumber(),
            Name = name,
            Kind = kind,
            OwnerId = ownerId,
            OpenedAt = clock.GetUtcNow(),
        };
        db.Accounts.Add(account);
        await db.SaveChangesAsync(cancellationToken);

        // Inside a caller's transaction this runs before the commit. Readers cache only accounts
        // they found, and a new account is only ever a customer's main account when they had
        // none, so no cached read can go stale by it.
        version.Advance();

        return account;
    }

    /// <summary>Credits <paramref name="amount"/> to the account from the funding account.</summary>
    public async Task FundAsync(Account account, decimal amount, string description, CancellationToken cancellationToken)
    {
        var funding = await db.Accounts.FirstOrDefaultAsync(
                candidate => candidate.Number == FundingAccountNumber, cancellationToken)
            ?? await OpenAsync("OpenBanking funding", AccountKind.Funding, null, cancellationToken, FundingAccountNumber);

        await ledger.TransferAsync(new TransferRequest(funding.Id, account.Id, amount, description), cancellationToken);
    }

    // Twelve random digits; the unique index on Account.Number rejects the rare collision.
    private static string NewAccountNumber() =>
        string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
