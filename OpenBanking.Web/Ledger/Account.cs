namespace OpenBanking.Web.Ledger;

/// <summary>
/// An account in the ledger. Its balance is not stored here: it is the running balance
/// of the account's latest <see cref="Posting"/>.
/// </summary>
public sealed class Account
{
    public long Id { get; set; }

    /// <summary>Public account number that customers and payees use.</summary>
    public required string Number { get; set; }

    public required string Name { get; set; }

    public AccountKind Kind { get; set; }

    /// <summary>Identity user id of the owning customer; null for bank-owned accounts.</summary>
    public string? OwnerId { get; set; }

    /// <summary>ISO 4217 code; every account in this ledger is in INR.</summary>
    public string Currency { get; set; } = Money.Currency;

    public DateTimeOffset OpenedAt { get; set; }
}

public enum AccountKind
{
    /// <summary>A customer's current account. Its balance never goes below zero.</summary>
    Customer = 0,

    /// <summary>An account that receives payments made through a third-party application.</summary>
    Settlement = 1,

    /// <summary>
    /// The bank's own funding account, the source of opening balances. Its balance is
    /// negative by the total the bank has funded, so the sum over all accounts stays zero.
    /// </summary>
    Funding = 2,
}
