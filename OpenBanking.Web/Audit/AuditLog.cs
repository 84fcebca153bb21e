using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Audit;

/// <summary>
/// Writes audit events. <see cref="RecordAsync"/> writes at once, in its own short transaction,
/// so an event is kept even when the caller's own unit of work later fails: operators' changes
/// and sign-in events go this way. <see cref="Enqueue"/> is for events that come with every
/// token request; they are written in batches by <see cref="AuditQueueWriter"/> within about
/// <see cref="AuditQueueWriter.FlushInterval"/>, and readers call <see cref="FlushAsync"/> first.
/// </summary>
public sealed partial class AuditLog(
    IDbContextFactory<BankDbContext> dbFactory,
    IHttpContextAccessor httpContextAccessor,
    TimeProvider clock,
    ILogger<AuditLog> logger) : IDisposable
{
    private const int MaxBatch = 1_000;

    // Bounded, so a stalled database cannot grow memory without limit. A full queue drops the
    // new event and counts it in the log; token requests never wait for the audit log.
    private readonly Channel<AuditEvent> _queue = Channel.CreateBounded<AuditEvent>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = false });

    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private long _dropped;

    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Stamp(auditEvent);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(auditEvent);
        await db.SaveChangesAsync(cancellationToken);
        LogRecorded(logger, auditEvent.Action, auditEvent.SubjectType, auditEvent.SubjectId, auditEvent.ActorName);
    }

    /// <summary>Stamps the event with the time and the request's ids now, and queues it for writing.</summary>
    public void Enqueue(AuditEvent auditEvent)
    {
        Stamp(auditEvent);
        if (!_queue.Writer.TryWrite(auditEvent))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes every queued event; returns when the events queued before the call are stored.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushGate.WaitAsync(cancellationToken);
        try
        {
            var batch = new List<AuditEvent>();
            while (true)
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var auditEvent))
                {
                    batch.Add(auditEvent);
                }

                if (batch.Count == 0)
                {
                    break;
                }

                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                db.AuditEvents.AddRange(batch);
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        finally
        {
            _flushGate.Release();
        }

        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            LogDropped(logger, dropped);
        }
    }

    public void Dispose() => _flushGate.Dispose();

    private void Stamp(AuditEvent auditEvent)
    {
        var httpContext = httpContextAccessor.HttpContext;
        auditEvent.OccurredAt = auditEvent.OccurredAt == default ? clock.GetUtcNow() : auditEvent.OccurredAt;
        auditEvent.CorrelationId ??= Activity.Current?.TraceId.ToString() ?? httpContext?.TraceIdentifier;
        auditEvent.IpAddress ??= httpContext?.Connection.RemoteIpAddress?.ToString();
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug,
        Message = "Audit {Action} on {SubjectType} {SubjectId} by {Actor}")]
    private static partial void LogRecorded(ILogger logger, string action, string? subjectType, string? subjectId, string? actor);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Dropped {Count} audit events: the queue was full")]
    private static partial void LogDropped(ILogger logger, long count);
}

/// <summary>Writes the events that <see cref="AuditLog.Enqueue"/> queued, in batches, until the host stops.</summary>
public sealed partial class AuditQueueWriter(AuditLog auditLog, ILogger<AuditQueueWriter> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushSafelyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: write what is left below.
        }

        await FlushSafelyAsync(CancellationToken.None);
    }

    private async Task FlushSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await auditLog.FlushAsync(cancellationToken);
        }
        catch (DbUpdateException exception)
        {
            LogFlushFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Writing queued audit events failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
