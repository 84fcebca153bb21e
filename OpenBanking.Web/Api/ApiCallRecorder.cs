using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Api;

/// <summary>
/// Queues <see cref="ApiCall"/> rows and writes them in batches from a background service, so
/// a balance read does not wait for a database write. A row reaches the database within about
/// <see cref="FlushInterval"/>; rows still queued when the process is killed are lost, and the
/// ledger itself never depends on them.
/// </summary>
public sealed partial class ApiCallRecorder(
    IDbContextFactory<BankDbContext> dbFactory,
    ILogger<ApiCallRecorder> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private const int MaxBatch = 1_000;

    // The queue is bounded, so a stalled database cannot grow memory without limit. When it is
    // full, new rows are dropped and counted in the log, and the API does not slow down.
    private readonly Channel<ApiCall> _queue = Channel.CreateBounded<ApiCall>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly SemaphoreSlim _flushing = new(1, 1);

    private long _dropped;

    public void Record(ApiCall call)
    {
        if (!_queue.Writer.TryWrite(call))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// Writes every queued row now; tests call it before reading the table. Waits for a flush
    /// already under way, whose rows have left the queue but may not be written yet.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            while (await WriteBatchAsync(cancellationToken))
            {
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    // Writes up to MaxBatch queued rows; returns false when the queue was empty.
    private async Task<bool> WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<ApiCall>();
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var call))
        {
            batch.Add(call);
        }

        if (batch.Count == 0)
        {
            return false;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await ApiCallBatchWriter.WriteAsync(db, batch, cancellationToken);
        return true;
    }

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
            await FlushAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbUpdateException or SqliteException)
        {
            LogFlushFailed(logger, exception);
        }

        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            LogDropped(logger, dropped);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Writing API call records failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Dropped {Count} API call records: the queue was full")]
    private static partial void LogDropped(ILogger logger, long count);
}
