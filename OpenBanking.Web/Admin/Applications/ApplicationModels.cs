namespace OpenBanking.Web.Admin.Applications;

/// <summary>A row of the applications list.</summary>
public sealed record ApplicationRow(
    string Id, string ClientId, string DisplayName, string ClientType, bool Enabled, int RedirectUriCount);

/// <summary>An application as the detail page shows it: the form's fields and the security report.</summary>
public sealed record ApplicationDetails(
    string Id,
    ApplicationInput Input,
    DateTimeOffset? SecretCreatedAt,
    IReadOnlyList<SecurityCheck> SecurityChecks,
    long LiveTokenCount);

/// <summary>
/// Outcome of a create or update. <see cref="ClientSecret"/> is the new plain-text secret, set
/// only when one was generated; it is stored hashed and never returned again.
/// </summary>
public sealed record SaveResult(string? Id, string? ClientSecret, IReadOnlyDictionary<string, string> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static SaveResult Invalid(IReadOnlyDictionary<string, string> errors) => new(null, null, errors);

    public static SaveResult Saved(string id, string? clientSecret) => new(id, clientSecret, new Dictionary<string, string>());
}

/// <summary>Choices offered by the application form.</summary>
public sealed record ApplicationFormOptions(IReadOnlyList<string> Scopes, IReadOnlyList<SettlementAccountOption> SettlementAccounts);

public sealed record SettlementAccountOption(string Number, string Name);

/// <summary>An application that fails at least one security check, for the dashboard.</summary>
public sealed record ApplicationSecuritySummary(string Id, string ClientId, string DisplayName, IReadOnlyList<SecurityCheck> Failed);

/// <summary>Names of the OpenIddict application properties that the portal reads and writes.</summary>
public static class ApplicationProperties
{
    /// <summary>Present and true when an operator disabled the application.</summary>
    public const string Disabled = "disabled";

    /// <summary>ISO 8601 time the current client secret was generated.</summary>
    public const string SecretCreatedAt = "secret_created_at";

    public const string SettlementAccount = Api.SettlementAccounts.PropertyName;
}
