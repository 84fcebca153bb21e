namespace OpenBanking.Web.Admin.Tokens;

/// <summary>Status filter of the token grid; <see cref="Expired"/> is a valid token past its expiration date.</summary>
public enum TokenStatusFilter
{
    Valid,
    Redeemed,
    Revoked,
    Expired,
    Inactive,
}

/// <summary>Filters of the token grid. Null fields do not filter.</summary>
public sealed record TokenFilter(
    string? ApplicationId = null,
    string? Customer = null,
    string? Type = null,
    TokenStatusFilter? Status = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null);

/// <summary>A token's metadata, never its value.</summary>
public sealed record TokenRow(
    string Id,
    string Type,
    string Status,
    string? ApplicationId,
    string? ClientId,
    string? Subject,
    string? CustomerEmail,
    string? AuthorizationId,
    DateTime? CreationDate,
    DateTime? ExpirationDate,
    DateTime? RedemptionDate);

/// <summary>A token with its grant, for the detail view.</summary>
public sealed record TokenDetails(TokenRow Token, string? AuthorizationType, string? AuthorizationStatus, string? GrantedScopes);

/// <summary>
/// Which tokens to revoke: the selected tokens with the rest of their grants, every token of a
/// customer (by user id or email), or every token of an application. Exactly one field is set.
/// </summary>
public sealed record TokenRevocation(
    IReadOnlyCollection<string>? TokenIds = null, string? CustomerId = null, string? ApplicationId = null);

/// <summary>An application in the grid's filter.</summary>
public sealed record ApplicationChoice(string Id, string ClientId, string DisplayName);
