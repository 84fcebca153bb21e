using System.Text.Json;
using OpenBanking.Web.Audit;

namespace OpenBanking.Web.Admin.Security;

/// <summary>Writes an operator's change to the audit log, with the values before and after it.</summary>
public sealed class OperatorAudit(AuditLog auditLog)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Records <paramref name="action"/>; <paramref name="before"/> and <paramref name="after"/> must hold no secret.</summary>
    public Task RecordAsync(PortalOperator actor, string action, AuditSubject subject, object? before = null, object? after = null,
        string? details = null, CancellationToken cancellationToken = default) =>
        auditLog.RecordAsync(
            new AuditEvent
            {
                Action = action,
                ActorId = actor.Id,
                ActorName = actor.Name,
                SubjectType = subject.Type,
                SubjectId = subject.Id,
                ClientId = subject.ClientId,
                Before = before is null ? null : JsonSerializer.Serialize(before, JsonOptions),
                After = after is null ? null : JsonSerializer.Serialize(after, JsonOptions),
                Details = details,
            },
            cancellationToken);
}

/// <summary>What an audit event is about: its kind, id and the OAuth client involved.</summary>
public sealed record AuditSubject(string Type, string? Id, string? ClientId = null)
{
    public const string Application = "application";
    public const string Scope = "scope";
    public const string Token = "token";
    public const string Authorization = "authorization";
    public const string User = "user";
    public const string Client = "client";
}
