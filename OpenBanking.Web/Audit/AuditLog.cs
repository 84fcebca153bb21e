using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Audit;

/// <summary>
/// Writes audit events at once, each in its own short transaction, so an event is kept even when
/// the caller's own unit of work later fails.
/// </summary>
public sealed partial class AuditLog(
    IDbContextFactory<BankDbContext> dbFactory,
    IHttpContextAccessor httpContextAccessor,
    TimeProvider clock,
    ILogger<AuditLog> logger)
{
    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var httpContext = httpContextAccessor.HttpContext;
        auditEvent.OccurredAt = auditEvent.OccurredAt == default ? clock.GetUtcNow() : auditEvent.OccurredAt;
        auditEvent.CorrelationId ??= Activity.Current?.TraceId.ToString() ?? httpContext?.TraceIdentifier;
        auditEvent.IpAddress ??= httpContext?.Connection.RemoteIpAddress?.ToString();

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(auditEvent);
        await db.SaveChangesAsync(cancellationToken);
        LogRecorded(logger, auditEvent.Action, auditEvent.SubjectType, auditEvent.SubjectId, auditEvent.ActorName);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug,
        Message = "Audit {Action} on {SubjectType} {SubjectId} by {Actor}")]
    private static partial void LogRecorded(ILogger logger, string action, string? subjectType, string? subjectId, string? actor);
}
