namespace OpenBanking.Web.Admin.Consents;

/// <summary>Which authorizations the consent list shows.</summary>
public enum AuthorizationKind
{
    /// <summary>Permanent authorizations: the consents customers remember for an application.</summary>
    Consents,

    /// <summary>Ad-hoc authorizations: one per authorization code flow, owning that flow's tokens.</summary>
    Grants,

    All,
}

/// <summary>Filters of the consent list. Null fields do not filter.</summary>
public sealed record ConsentFilter(
    string? ApplicationId = null, string? Customer = null, string? Status = null, AuthorizationKind Kind = AuthorizationKind.Consents);

/// <summary>An authorization with its customer, application, scopes and live token count.</summary>
public sealed record ConsentRow(
    string Id,
    string Type,
    string Status,
    string? Subject,
    string? CustomerEmail,
    string? ApplicationId,
    string? ClientId,
    string? ApplicationName,
    IReadOnlyList<string> Scopes,
    DateTime? CreationDate,
    int LiveTokenCount);

/// <summary>One moment in a grant's life, for the timeline.</summary>
public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Title, string? Detail);

public enum TimelineKind
{
    Consent,
    Grant,
    Token,
    Redemption,
    Revocation,
    ApiCall,
    Transfer,
    Failure,
}

/// <summary>
/// The whole life of a customer's access for one application, oldest first. Only the latest
/// <see cref="GrantTimelineService.MaxApiCalls"/> API calls are included.
/// </summary>
public sealed record GrantTimeline(ConsentRow Consent, IReadOnlyList<TimelineEntry> Entries, bool ApiCallsTruncated, int LiveTokenCount);
