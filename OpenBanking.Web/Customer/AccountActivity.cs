using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.Customer;

/// <summary>Reads a customer's accounts, balances and ledger entries for the accounts page.</summary>
public sealed class AccountActivity(
    BankDbContext db, LedgerService ledger, IOpenIddictApplicationManager applicationManager)
{
    public const int PageSize = 20;

    public async Task<IReadOnlyList<AccountSummary>> ListAccountsAsync(string customerId, CancellationToken cancellationToken)
    {
        var accounts = await db.Accounts.AsNoTracking()
            .Where(account => account.OwnerId == customerId && account.Kind == AccountKind.Customer)
            .OrderBy(account => account.Id)
            .ToListAsync(cancellationToken);

        var summaries = new List<AccountSummary>();
        foreach (var account in accounts)
        {
            summaries.Add(new AccountSummary(account, await ledger.GetBalanceAsync(account.Id, cancellationToken)));
        }

        return summaries;
    }

    /// <summary>
    /// Returns one page of the account's ledger entries, newest first. <paramref name="page"/>
    /// counts from 1 and is clamped to the pages that exist.
    /// </summary>
    public async Task<LedgerPage> GetEntriesAsync(long accountId, int page, CancellationToken cancellationToken)
    {
        var total = await db.Postings.CountAsync(posting => posting.AccountId == accountId, cancellationToken);
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);

        var rows = await (
                from posting in db.Postings.AsNoTracking()
                join transfer in db.Transfers on posting.TransferId equals transfer.Id
                join counterparty in db.Accounts
                    on transfer.DebitAccountId == accountId ? transfer.CreditAccountId : transfer.DebitAccountId
                    equals counterparty.Id
                where posting.AccountId == accountId
                orderby posting.Id descending
                select new
                {
                    posting.Id,
                    posting.PostedAt,
                    posting.Amount,
                    posting.BalanceAfter,
                    transfer.Description,
                    transfer.ClientId,
                    CounterpartyName = counterparty.Name,
                    CounterpartyNumber = counterparty.Number,
                })
            .Skip((page - 1) * PageSize)
            .Take(PageSize)
            .ToListAsync(cancellationToken);

        var names = await GetApplicationNamesAsync(rows.Select(row => row.ClientId), cancellationToken);
        var entries = rows.Select(row => new LedgerEntry(
                row.PostedAt, row.Description, row.CounterpartyName, row.CounterpartyNumber, row.Amount, row.BalanceAfter,
                row.ClientId is null ? null : names.GetValueOrDefault(row.ClientId, row.ClientId)))
            .ToList();

        return new LedgerPage(entries, page, pageCount, total);
    }

    private async Task<Dictionary<string, string>> GetApplicationNamesAsync(
        IEnumerable<string?> clientIds, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var clientId in clientIds.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var application = await applicationManager.FindByClientIdAsync(clientId, cancellationToken);
            names[clientId] = application is null
                ? clientId
                : await applicationManager.GetLocalizedDisplayNameAsync(application, cancellationToken) ?? clientId;
        }

        return names;
    }
}

public sealed record AccountSummary(Account Account, decimal Balance);

/// <summary>One line of an account statement; <see cref="Amount"/> is negative for money out.</summary>
public sealed record LedgerEntry(
    DateTimeOffset PostedAt,
    string Description,
    string CounterpartyName,
    string CounterpartyNumber,
    decimal Amount,
    decimal BalanceAfter,
    string? ApplicationName);

public sealed record LedgerPage(IReadOnlyList<LedgerEntry> Entries, int Page, int PageCount, int TotalEntries);
