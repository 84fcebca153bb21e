using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Applications;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Dashboard;

/// <summary>The dashboard's counters.</summary>
public sealed record DashboardCounts(
    int Applications, int Customers, int ActiveAccessTokens, int ActiveRefreshTokens, int ActiveConsents);

/// <summary>Values per time bucket, oldest first, with a label for each bucket.</summary>
public sealed record ActivitySeries(IReadOnlyList<string> Labels, IReadOnlyDictionary<string, double[]> Series);

/// <summary>Builds the dashboard: counters, activity charts, latest audit events and failing security checks.</summary>
public sealed class DashboardService(
    AdminGuard guard,
    ApplicationAdminService applications,
    IDbContextFactory<BankDbContext> dbFactory,
    AuditLog auditLog,
    TimeProvider clock)
{
    public const string Issued = "Tokens issued";
    public const string Revoked = "Tokens revoked";
    public const string FailedLogins = "Failed logins";
    public const string FailedTokenRequests = "Failed token requests";

    public async Task<DashboardCounts> GetCountsAsync(CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var live = db.Set<OpenIddictEntityFrameworkCoreToken>().WhereLive(now);
        var adminRole = Roles.Admin.ToUpperInvariant();
        var operatorIds = db.UserRoles.Where(link => db.Roles.Any(role => role.Id == link.RoleId && role.NormalizedName == adminRole))
            .Select(link => link.UserId);

        return new DashboardCounts(
            await db.Set<OpenIddictEntityFrameworkCoreApplication>().CountAsync(cancellationToken),
            await db.Users.CountAsync(user => !operatorIds.Contains(user.Id), cancellationToken),
            await live.CountAsync(token => token.Type == TokenKinds.AccessToken, cancellationToken),
            await live.CountAsync(token => token.Type == TokenKinds.RefreshToken, cancellationToken),
            await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().CountAsync(
                authorization => authorization.Type == AuthorizationTypes.Permanent && authorization.Status == Statuses.Valid,
                cancellationToken));
    }

    /// <summary>
    /// Returns tokens issued and revoked, failed logins and failed token requests per bucket:
    /// 24 hourly buckets or 30 daily ones, ending now.
    /// </summary>
    public async Task<ActivitySeries> GetActivityAsync(bool daily, CancellationToken cancellationToken)
    {
        await auditLog.FlushAsync(cancellationToken);
        await guard.RequireAdminAsync();
        var buckets = Buckets.Create(clock.GetUtcNow(), daily);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        var since = buckets.Start.UtcDateTime;
        var issuedTimes = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(token => token.CreationDate >= since
                && (token.Type == TokenKinds.AccessToken || token.Type == TokenKinds.RefreshToken))
            .GroupBy(token => new { token.CreationDate!.Value.Date, token.CreationDate!.Value.Hour })
            .Select(group => new { group.Key.Date, group.Key.Hour, Count = group.Count() })
            .ToListAsync(cancellationToken);
        var issued = buckets.Empty();
        foreach (var group in issuedTimes)
        {
            buckets.Add(issued, new DateTimeOffset(DateTime.SpecifyKind(group.Date.AddHours(group.Hour), DateTimeKind.Utc)), group.Count);
        }

        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.OccurredAt >= buckets.Start
                && (e.Action == AuditActions.TokenRevoked || e.Action == AuditActions.LoginFailed || e.Action == AuditActions.TokenRequestFailed))
            .Select(e => new { e.OccurredAt, e.Action, e.After })
            .ToListAsync(cancellationToken);
        var revoked = buckets.Empty();
        var failedLogins = buckets.Empty();
        var failedTokens = buckets.Empty();
        foreach (var e in events)
        {
            var target = e.Action switch
            {
                AuditActions.TokenRevoked => revoked,
                AuditActions.LoginFailed => failedLogins,
                _ => failedTokens,
            };
            buckets.Add(target, e.OccurredAt, e.Action == AuditActions.TokenRevoked ? ReadTokenCount(e.After) : 1);
        }

        return new ActivitySeries(buckets.Labels, new Dictionary<string, double[]>
        {
            [Issued] = issued,
            [Revoked] = revoked,
            [FailedLogins] = failedLogins,
            [FailedTokenRequests] = failedTokens,
        });
    }

    public async Task<IReadOnlyList<AuditEvent>> GetLatestEventsAsync(int count, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await auditLog.FlushAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(count).ToListAsync(cancellationToken);
    }

    public Task<IReadOnlyList<ApplicationSecuritySummary>> GetFailingSecurityChecksAsync(CancellationToken cancellationToken) =>
        applications.GetFailingSecurityChecksAsync(cancellationToken);

    // NOTE: a client's revocation at /o/revoke_token/ counts as one token, although the rest
    // of its grant ends with it. The portal's own revocations record the exact count.
    private static int ReadTokenCount(string? after)
    {
        if (string.IsNullOrEmpty(after))
        {
            return 1;
        }

        using var document = JsonDocument.Parse(after);
        return document.RootElement.TryGetProperty("token_count", out var count) && count.TryGetInt32(out var value) ? value : 1;
    }

    /// <summary>Hourly or daily time buckets in UTC, the last one containing now.</summary>
    private sealed record Buckets(DateTimeOffset Start, TimeSpan Size, IReadOnlyList<string> Labels)
    {
        public static Buckets Create(DateTimeOffset now, bool daily)
        {
            var size = daily ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
            var count = daily ? 30 : 24;
            var current = daily
                ? new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero)
                : new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
            var start = current - (size * (count - 1));
            var labels = Enumerable.Range(0, count)
                .Select(index => (start + (size * index)).ToString(daily ? "dd MMM" : "HH:00", System.Globalization.CultureInfo.InvariantCulture))
                .ToList();

            return new Buckets(start, size, labels);
        }

        public double[] Empty() => new double[Labels.Count];

        public void Add(double[] values, DateTimeOffset at, int count)
        {
            var index = (int)((at - Start).Ticks / Size.Ticks);
            if (index >= 0 && index < values.Length)
            {
                values[index] += count;
            }
        }
    }
}
