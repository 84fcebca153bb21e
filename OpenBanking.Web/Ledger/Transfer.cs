namespace OpenBanking.Web.Ledger;

/// <summary>
/// One movement of money between two accounts. It owns exactly two postings, a debit and a
/// credit of the same amount, written in one database transaction.
/// </summary>
public sealed class Transfer
{
    public long Id { get; set; }

    public long DebitAccountId { get; set; }

    public long CreditAccountId { get; set; }

    /// <summary>Amount moved, positive, with at most two decimal places.</summary>
    public decimal Amount { get; set; }

    public string Currency { get; set; } = Money.Currency;

    /// <summary>OAuth client that initiated the transfer, or null for the bank itself.</summary>
    public string? ClientId { get; set; }

    /// <summary>OpenIddict authorization (the grant) whose access token initiated the transfer.</summary>
    public string? AuthorizationId { get; set; }

    /// <summary>OpenIddict token entry of the access token that initiated the transfer.</summary>
    public string? TokenId { get; set; }

    public required string Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
