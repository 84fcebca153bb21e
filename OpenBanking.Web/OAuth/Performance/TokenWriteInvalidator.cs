using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.OAuth.Performance;

/// <summary>
/// Removes entries from <see cref="TokenValidationCache"/> after their rows change, for every
/// write made through EF Core on this host. Each invalidation happens after the write is
/// committed and before the writer continues.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>SaveChanges (OpenIddict's stores: revoke, redeem, delete, update): the ids of the modified
/// and deleted token and authorization entities are collected before saving and removed once
/// SaveChanges returns, when SQLite has committed.</item>
/// <item>Any other command whose SQL updates or deletes those tables (ExecuteUpdate, as in
/// OpenIddict's bulk RevokeByAuthorizationIdAsync and pruning, or raw SQL): the whole cache is
/// emptied after it ran, because the SQL does not say which rows changed.</item>
/// <item>Inside an explicit transaction, the same happens again when it commits or rolls back,
/// since a reader may have loaded the old rows in between.</item>
/// </list>
/// </remarks>
public sealed partial class TokenWriteInvalidator(TokenValidationCache cache)
    : IDbCommandInterceptor, ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly object AllRows = new();

    private readonly ConditionalWeakTable<DbContext, List<object>> _saving = [];
    private readonly ConditionalWeakTable<DbTransaction, List<object>> _pendingCommit = [];
    private readonly ConditionalWeakTable<DbCommand, object> _openWriteReaders = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        CollectChangedRows(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        CollectChangedRows(eventData.Context);
        return new(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        InvalidateCollectedRows(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        InvalidateCollectedRows(eventData.Context);
        return new(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => InvalidateCollectedRows(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        InvalidateCollectedRows(eventData.Context);
        return Task.CompletedTask;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        InvalidateAfterCommand(command, eventData.CommandSource);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        InvalidateAfterCommand(command, eventData.CommandSource);
        return new(result);
    }

    public DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        InvalidateAfterReader(command, eventData.CommandSource);
        return result;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        InvalidateAfterReader(command, eventData.CommandSource);
        return new(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        InvalidateAfterCommand(command, eventData.CommandSource);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        InvalidateAfterCommand(command, eventData.CommandSource);
        return new(result);
    }

    // SQLite commits a statement that returns rows when its reader is reset, so a write outside
    // SaveChanges that returns rows is invalidated once more as its reader closes.
    // NOTE: EF Core has no event after the close, so a request that reads the row between this
    // call and the commit can still cache the old state. Only hand-written UPDATE ... RETURNING
    // or DELETE ... RETURNING on the token tables takes this path; write such SQL without
    // RETURNING (it then runs as a non-query and is invalidated after its commit).
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        InvalidateAfterReaderClosed(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(
        DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        InvalidateAfterReaderClosed(command);
        return new(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        InvalidatePending(transaction);

    public Task TransactionCommittedAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        InvalidatePending(transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        InvalidatePending(transaction);

    public Task TransactionRolledBackAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        InvalidatePending(transaction);
        return Task.CompletedTask;
    }

    private void CollectChangedRows(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var rows = new List<object>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted
                && entry.Entity is OpenIddictEntityFrameworkCoreToken or OpenIddictEntityFrameworkCoreAuthorization)
            {
                rows.Add(entry.Entity);
            }
        }

        if (rows.Count > 0)
        {
            _saving.AddOrUpdate(context, rows);
        }
    }

    private void InvalidateCollectedRows(DbContext? context)
    {
        if (context is null || !_saving.TryGetValue(context, out var rows))
        {
            return;
        }

        _saving.Remove(context);
        Invalidate(rows);
        if (context.Database.CurrentTransaction?.GetDbTransaction() is { } transaction)
        {
            AddPending(transaction, rows);
        }
    }

    private void InvalidateAfterCommand(DbCommand command, CommandSource source)
    {
        // SaveChanges' own commands are handled row by row above.
        if (source == CommandSource.SaveChanges || !WritesTokenTables(command.CommandText))
        {
            return;
        }

        cache.InvalidateAll();
        if (command.Transaction is { } transaction)
        {
            AddPending(transaction, [AllRows]);
        }
    }

    private void InvalidateAfterReader(DbCommand command, CommandSource source)
    {
        InvalidateAfterCommand(command, source);
        if (source != CommandSource.SaveChanges && WritesTokenTables(command.CommandText))
        {
            _openWriteReaders.AddOrUpdate(command, AllRows);
        }
    }

    private void InvalidateAfterReaderClosed(DbCommand command)
    {
        if (_openWriteReaders.TryGetValue(command, out _))
        {
            _openWriteReaders.Remove(command);
            cache.InvalidateAll();
        }
    }

    private void AddPending(DbTransaction transaction, List<object> rows)
    {
        var pending = _pendingCommit.GetOrCreateValue(transaction);
        lock (pending)
        {
            pending.AddRange(rows);
        }
    }

    private void InvalidatePending(DbTransaction transaction)
    {
        if (_pendingCommit.TryGetValue(transaction, out var pending))
        {
            _pendingCommit.Remove(transaction);
            lock (pending)
            {
                Invalidate(pending);
            }
        }
    }

    private void Invalidate(List<object> rows)
    {
        foreach (var row in rows)
        {
            switch (row)
            {
                case OpenIddictEntityFrameworkCoreToken { Id: { } id }:
                    cache.InvalidateToken(id);
                    break;
                case OpenIddictEntityFrameworkCoreAuthorization { Id: { } id }:
                    cache.InvalidateAuthorization(id);
                    break;
                default:
                    cache.InvalidateAll();
                    break;
            }
        }
    }

    private static bool WritesTokenTables(string sql) => TokenTables().IsMatch(sql) && WriteKeywords().IsMatch(sql);

    [GeneratedRegex("OpenIddict(Tokens|Authorizations)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TokenTables();

    // Conservative: any of these words next to a token table counts as a write, "INSERT OR
    // REPLACE" and "ON CONFLICT DO UPDATE" included.
    [GeneratedRegex(@"\b(UPDATE|DELETE|REPLACE|DROP|ALTER)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WriteKeywords();
}
