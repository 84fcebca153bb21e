using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Admin.AuditTrail;

/// <summary>Filters of the audit log. Null fields do not filter; text filters match substrings.</summary>
public sealed record AuditFilter(
    string? Action = null,
    string? Actor = null,
    string? Subject = null,
    string? ClientId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);

/// <summary>Reads and exports the audit log for the portal, checking the operator on each call.</summary>
public sealed class AuditQueryService(AdminGuard guard, IDbContextFactory<BankDbContext> dbFactory, AuditLog auditLog)
{
    /// <summary>Most rows one CSV export writes, newest first.</summary>
    public const int MaxExportRows = 100_000;

    private static readonly string[] CsvColumns =
    [
        "id", "occurred_at", "action", "actor_id", "actor_name", "subject_type", "subject_id", "client_id",
        "before", "after", "details", "correlation_id", "ip_address",
    ];

    public async Task<PageResult<AuditEvent>> ListAsync(AuditFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        await auditLog.FlushAsync(cancellationToken);
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Filter(db, filter);
        var total = await query.CountAsync(cancellationToken);
        var sorted = page.SortBy == "OccurredAt" && !page.Descending
            ? query.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            : query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
        var rows = await sorted.Skip(page.Skip).Take(page.Take).ToListAsync(cancellationToken);

        return new PageResult<AuditEvent>(rows, total);
    }

    /// <summary>Writes the filtered events as RFC 4180 CSV, newest first, up to <see cref="MaxExportRows"/> rows.</summary>
    public async Task WriteCsvAsync(AuditFilter filter, TextWriter writer, CancellationToken cancellationToken)
    {
        await auditLog.FlushAsync(cancellationToken);
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        var rows = Filter(db, filter).OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(MaxExportRows).AsAsyncEnumerable();
        await foreach (var e in rows.WithCancellation(cancellationToken))
        {
            string?[] values =
            [
                e.Id.ToString(CultureInfo.InvariantCulture), e.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
                e.Action, e.ActorId, e.ActorName, e.SubjectType, e.SubjectId, e.ClientId, e.Before, e.After, e.Details,
                e.CorrelationId, e.IpAddress,
            ];
            await writer.WriteLineAsync(string.Join(',', values.Select(Escape)));
        }
    }

    /// <summary>
    /// Quotes a CSV field (RFC 4180) and defuses spreadsheet formulas: a field that starts with
    /// =, +, - or @ gets a leading apostrophe, so opening the export never runs a formula.
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        if (!needsQuotes)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        builder.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        return builder.Append('"').ToString();
    }

    private static IQueryable<AuditEvent> Filter(BankDbContext db, AuditFilter filter)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.Action))
        {
            query = query.Where(e => e.Action == filter.Action);
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var pattern = $"%{filter.Actor.Trim()}%";
            query = query.Where(e => EF.Functions.Like(e.ActorName!, pattern) || e.ActorId == filter.Actor.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            var subject = filter.Subject.Trim();
            query = query.Where(e => e.SubjectId == subject || EF.Functions.Like(e.Details!, $"%{subject}%"));
        }

        if (!string.IsNullOrWhiteSpace(filter.ClientId))
        {
            query = query.Where(e => e.ClientId == filter.ClientId.Trim());
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.OccurredAt < to);
        }

        return query;
    }
}
