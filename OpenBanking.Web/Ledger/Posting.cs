namespace OpenBanking.Web.Ledger;

/// <summary>
/// An append-only ledger line: a signed change to one account's balance. Rows are never
/// updated or deleted.
/// </summary>
public sealed class Posting
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public long TransferId { get; set; }

    /// <summary>Negative for a debit, positive for a credit.</summary>
    public decimal Amount { get; set; }

    /// <summary>
    /// The account's balance after this posting: the previous posting's value plus
    /// <see cref="Amount"/>. Reading the latest one gives the balance without summing history.
    /// </summary>
    public decimal BalanceAfter { get; set; }

    public DateTimeOffset PostedAt { get; set; }
}
