namespace OpenBanking.Web.Audit;

/// <summary>
/// One entry of the audit log: an operator's change (with the values before and after) or a
/// security event (sign-in, lockout, token issuance or revocation, consent). Rows are never
/// updated or deleted.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Dotted name of what happened, such as <c>application.created</c>; see <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>Identity user id of the actor, or null when a client or the system acted.</summary>
    public string? ActorId { get; set; }

    /// <summary>Name of the actor as shown to operators (email, client id or "system").</summary>
    public string? ActorName { get; set; }

    /// <summary>Kind of the object acted on, such as <c>application</c>, <c>token</c> or <c>user</c>.</summary>
    public string? SubjectType { get; set; }

    public string? SubjectId { get; set; }

    /// <summary>OAuth client involved, when there is one.</summary>
    public string? ClientId { get; set; }

    /// <summary>JSON of the changed fields before the change, without secrets.</summary>
    public string? Before { get; set; }

    /// <summary>JSON of the changed fields after the change, without secrets.</summary>
    public string? After { get; set; }

    /// <summary>Free text for operators, never a secret or a token value.</summary>
    public string? Details { get; set; }

    /// <summary>Trace id of the HTTP request that caused the event, to find it in the logs.</summary>
    public string? CorrelationId { get; set; }

    public string? IpAddress { get; set; }
}
