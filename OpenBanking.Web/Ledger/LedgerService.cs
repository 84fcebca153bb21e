using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Ledger;

/// <summary>
/// Reads balances and moves money. Every transfer writes one <see cref="Transfer"/> and two
/// <see cref="Posting"/> rows in a single database transaction.
/// </summary>
public sealed partial class LedgerService(
    BankDbContext db, TimeProvider clock, LedgerVersion version, ILogger<LedgerService> logger)
{
    /// <summary>Finds the customer's main account: their oldest customer account.</summary>
    public Task<Account?> FindCustomerAccountAsync(string customerId, CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking()
            .Where(account => account.OwnerId == customerId && account.Kind == AccountKind.Customer)
            .OrderBy(account => account.Id)
            .FirstOrDefaultAsync(cancellationToken);

    public Task<Account?> FindAccountByNumberAsync(string number, CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking().FirstOrDefaultAsync(account => account.Number == number, cancellationToken);

    /// <summary>Returns the running balance of the account's newest posting, or zero without postings.</summary>
    public async Task<decimal> GetBalanceAsync(long accountId, CancellationToken cancellationToken)
    {
        var balance = await db.Postings.AsNoTracking()
            .Where(posting => posting.AccountId == accountId)
            .OrderByDescending(posting => posting.Id)
            .Select(posting => (decimal?)posting.BalanceAfter)
            .FirstOrDefaultAsync(cancellationToken);

        return balance ?? 0m;
    }

    /// <summary>
    /// Moves <paramref name="request"/>'s amount from the debit account to the credit account.
    /// Fails without writing anything when the debit account would go below zero (unless it is
    /// the bank's funding account).
    /// </summary>
    public async Task<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken)
    {
        if (request.Amount <= 0 || !Money.HasValidScale(request.Amount) || request.Amount > Money.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Amount, "Amount must be positive with at most two decimals.");
        }

        if (request.DebitAccountId == request.CreditAccountId)
        {
            return TransferResult.SameAccount;
        }

        // A transfer's commit waits for the disk, so it survives a power cut, not only a crash.
        await using var durable = await db.Database.BeginFullSyncAsync(cancellationToken);

        // Microsoft.Data.Sqlite starts a non-deferred transaction with BEGIN IMMEDIATE, which takes
        // the database's write lock before the balance is read. Concurrent transfers therefore run
        // one after another, and the balance checked below cannot change before the commit.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var debitAccount = await db.Accounts.AsNoTracking()
            .FirstAsync(account => account.Id == request.DebitAccountId, cancellationToken);
        var debitBalance = await GetBalanceAsync(request.DebitAccountId, cancellationToken);
        if (debitAccount.Kind != AccountKind.Funding && debitBalance < request.Amount)
        {
            LogInsufficientFunds(logger, request.DebitAccountId, request.ClientId);
            return TransferResult.InsufficientFunds(debitBalance);
        }

        var creditBalance = await GetBalanceAsync(request.CreditAccountId, cancellationToken);
        var now = clock.GetUtcNow();
        var transfer = new Transfer
        {
            DebitAccountId = request.DebitAccountId,
            CreditAccountId = request.CreditAccountId,
            Amount = request.Amount,
            ClientId = request.ClientId,
            AuthorizationId = request.AuthorizationId,
            TokenId = request.TokenId,
            Description = request.Description,
            CreatedAt = now,
        };
        db.Transfers.Add(transfer);
        await db.SaveChangesAsync(cancellationToken);

        var debitBalanceAfter = debitBalance - request.Amount;
        db.Postings.AddRange(
            NewPosting(request.DebitAccountId, transfer.Id, -request.Amount, debitBalanceAfter, now),
            NewPosting(request.CreditAccountId, transfer.Id, request.Amount, creditBalance + request.Amount, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        version.Advance();

        LogTransferPosted(logger, transfer.Id, request.DebitAccountId, request.CreditAccountId, request.ClientId ?? "none (the bank)");
        return TransferResult.Posted(transfer, debitBalanceAfter);
    }

    private static Posting NewPosting(long accountId, long transferId, decimal amount, decimal balanceAfter, DateTimeOffset now) =>
        new()
        {
            AccountId = accountId,
            TransferId = transferId,
            Amount = amount,
            BalanceAfter = balanceAfter,
            PostedAt = now,
        };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Transfer {TransferId} posted from account {DebitAccountId} to {CreditAccountId} for client {ClientId}")]
    private static partial void LogTransferPosted(
        ILogger logger, long transferId, long debitAccountId, long creditAccountId, string? clientId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Transfer from account {DebitAccountId} for client {ClientId} rejected: insufficient funds")]
    private static partial void LogInsufficientFunds(ILogger logger, long debitAccountId, string? clientId);
}

/// <summary>A request to move money, already validated for shape and scale.</summary>
public sealed record TransferRequest(
    long DebitAccountId,
    long CreditAccountId,
    decimal Amount,
    string Description,
    string? ClientId = null,
    string? AuthorizationId = null,
    string? TokenId = null);

/// <summary>Outcome of <see cref="LedgerService.TransferAsync"/>.</summary>
public sealed record TransferResult(TransferOutcome Outcome, Transfer? Transfer, decimal DebitBalance)
{
    public static TransferResult SameAccount { get; } = new(TransferOutcome.SameAccount, null, 0m);

    public static TransferResult InsufficientFunds(decimal balance) => new(TransferOutcome.InsufficientFunds, null, balance);

    public static TransferResult Posted(Transfer transfer, decimal balanceAfter) => new(TransferOutcome.Posted, transfer, balanceAfter);
}

public enum TransferOutcome
{
    Posted,
    InsufficientFunds,
    SameAccount,
}
