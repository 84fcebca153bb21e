namespace OpenBanking.Web.Api;

/// <summary>
/// A call an application made to the bank API with a customer's token: what the customer's
/// connected-apps page and the operators' grant timeline show. Rows are never updated.
/// </summary>
public sealed class ApiCall
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>What was called; see <see cref="ApiOperations"/>.</summary>
    public required string Operation { get; set; }

    public int StatusCode { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Identity user id of the customer who granted the token.</summary>
    public string? CustomerId { get; set; }

    /// <summary>OpenIddict authorization (grant) of the token.</summary>
    public string? AuthorizationId { get; set; }

    /// <summary>OpenIddict token entry id of the access token, never the token itself.</summary>
    public string? TokenId { get; set; }

    /// <summary>The ledger transfer the call created, for a successful transfer.</summary>
    public long? TransferId { get; set; }

    /// <summary>The amount of a transfer call, posted or not.</summary>
    public decimal? Amount { get; set; }
}

public static class ApiOperations
{
    public const string BalanceRead = "balance.read";
    public const string Transfer = "transfer";
}
