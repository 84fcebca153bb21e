using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace OpenBanking.Web.Data;

/// <summary>
/// Sets the per-connection SQLite pragmas once for each pooled native connection, the first
/// time EF Core opens it.
/// </summary>
/// <remarks>
/// <para>
/// <c>synchronous=NORMAL</c>: in WAL mode a commit then writes the log without waiting for the
/// disk, and the log is synced at each checkpoint. A committed transaction survives a crash of
/// this process, because its pages are already in the operating system's cache. A power cut or
/// an operating system crash may roll back the transactions committed since the last checkpoint,
/// never a part of one, and never an earlier one without the later ones. With FULL, the default,
/// every commit waited for a disk sync (about 3 ms here) while holding SQLite's single write lock,
/// which capped the token endpoint near 300 writes per second. Transfers keep the FULL guarantee
/// through <see cref="SqliteDurability.BeginFullSyncAsync"/>.
/// </para>
/// <para>
/// <c>busy_timeout</c>: a writer that finds the write lock taken waits inside SQLite, which polls
/// after 1, 2, 5, 10 ms and so on. Without it, Microsoft.Data.Sqlite retries on its own and sleeps
/// 150 ms between tries, which showed as Thread.Sleep in profiles and as p99 latency above 1 s.
/// </para>
/// </remarks>
public sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    public const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public static SqliteConnectionSettings Instance { get; } = new();

    // Pooled SqliteConnection objects hand out the same native handles again; pragmas stay set
    // on a handle, so each handle is configured once. Entries go away with their handles.
    private readonly ConditionalWeakTable<object, object> _configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsSettings(connection, out var sqlite))
        {
            using var command = sqlite.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
            _configured.AddOrUpdate(sqlite.Handle!, this);
        }
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsSettings(connection, out var sqlite))
        {
            await using var command = sqlite.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            _configured.AddOrUpdate(sqlite.Handle!, this);
        }
    }

    private bool NeedsSettings(DbConnection connection, out SqliteConnection sqlite)
    {
        sqlite = (SqliteConnection)connection;
        return sqlite.Handle is { } handle && !_configured.TryGetValue(handle, out _);
    }
}

public static class SqliteDurability
{
    /// <summary>
    /// Opens the context's connection with <c>synchronous=FULL</c> until the returned scope is
    /// disposed, so that a commit inside it returns only after the log is on disk. Syncing the log
    /// also makes every earlier commit durable.
    /// </summary>
    public static async Task<IAsyncDisposable> BeginFullSyncAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        await database.OpenConnectionAsync(cancellationToken);
        await database.ExecuteSqlRawAsync("PRAGMA synchronous=FULL;", cancellationToken);
        return new FullSyncScope(database);
    }

    private sealed class FullSyncScope(DatabaseFacade database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await database.ExecuteSqlRawAsync("PRAGMA synchronous=NORMAL;");
            }
            finally
            {
                await database.CloseConnectionAsync();
            }
        }
    }
}
