using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Api;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Consents;

/// <summary>
/// Builds the life of one customer's access for one application in time order: the consent, each
/// code flow's grant, every code and token issued, redeemed and revoked, and the bank API calls
/// made with those tokens, read from OpenIddict's tables, <see cref="ApiCall"/> rows and the audit log.
/// </summary>
public sealed class GrantTimelineService(
    AdminGuard guard,
    ConsentAdminService consents,
    IDbContextFactory<BankDbContext> dbFactory,
    ApiCallRecorder apiCalls)
{
    public const int MaxApiCalls = 500;

    private static readonly string[] RevocationActions = [AuditActions.ConsentRevoked, AuditActions.TokenRevoked, AuditActions.ConsentGranted];

    public async Task<GrantTimeline?> GetAsync(string authorizationId, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        var consent = await consents.FindAsync(authorizationId, cancellationToken);
        if (consent is null)
        {
            return null;
        }

        // The API call log is written in batches; the timeline shows every call made so far.
        await apiCalls.FlushAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = new List<TimelineEntry>();
        var authorizationIds = await AddAuthorizationsAsync(db, consent, entries, cancellationToken);
        await AddTokensAsync(db, consent, entries, cancellationToken);
        var truncated = await AddApiCallsAsync(db, consent, entries, cancellationToken);
        await AddAuditEventsAsync(db, consent, authorizationIds, entries, cancellationToken);

        return new GrantTimeline(consent, [.. entries.OrderBy(entry => entry.At)], truncated, consent.LiveTokenCount);
    }

    private static async Task<List<string>> AddAuthorizationsAsync(
        BankDbContext db, ConsentRow consent, List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var authorizations = await ForPair(db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking(), consent)
            .Select(a => new { a.Id, a.Type, a.Status, a.Scopes, a.CreationDate })
            .ToListAsync(cancellationToken);
        foreach (var authorization in authorizations.Where(a => a.CreationDate is not null))
        {
            var scopes = string.Join(' ', JsonSerializer.Deserialize<string[]>(authorization.Scopes ?? "[]") ?? []);
            var ended = authorization.Status == Statuses.Valid ? string.Empty : $" Now {authorization.Status}.";
            entries.Add(authorization.Type == AuthorizationTypes.Permanent
                ? new TimelineEntry(Utc(authorization.CreationDate!.Value), TimelineKind.Consent,
                    "Consent granted", $"Scopes: {scopes}. Authorization {authorization.Id}.{ended}")
                : new TimelineEntry(Utc(authorization.CreationDate!.Value), TimelineKind.Grant,
                    "Code flow started", $"Grant {authorization.Id} for scopes {scopes}.{ended}"));
        }

        return [.. authorizations.Select(a => a.Id!)];
    }

    private static async Task AddTokensAsync(
        BankDbContext db, ConsentRow consent, List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var tokens = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            .Where(token => token.Subject == consent.Subject && token.Application!.Id == consent.ApplicationId)
            .Select(token => new { token.Id, token.Type, token.Status, token.CreationDate, token.RedemptionDate, AuthorizationId = token.Authorization!.Id })
            .ToListAsync(cancellationToken);
        foreach (var token in tokens)
        {
            var name = DescribeType(token.Type);
            if (token.CreationDate is { } created)
            {
                var status = token.Status == Statuses.Revoked ? " It was revoked later." : string.Empty;
                entries.Add(new TimelineEntry(Utc(created), TimelineKind.Token, $"{name} issued",
                    $"Token {token.Id} in grant {token.AuthorizationId}.{status}"));
            }

            if (token.RedemptionDate is { } redeemed)
            {
                var title = token.Type == TokenKinds.RefreshToken ? "Refreshed: refresh token used" : $"{name} redeemed";
                entries.Add(new TimelineEntry(Utc(redeemed), TimelineKind.Redemption, title, $"Token {token.Id}."));
            }
        }
    }

    private static async Task<bool> AddApiCallsAsync(
        BankDbContext db, ConsentRow consent, List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var calls = await db.ApiCalls.AsNoTracking()
            .Where(call => call.CustomerId == consent.Subject && call.ClientId == consent.ClientId)
            .OrderByDescending(call => call.OccurredAt).ThenByDescending(call => call.Id)
            .Take(MaxApiCalls + 1)
            .ToListAsync(cancellationToken);
        foreach (var call in calls.Take(MaxApiCalls))
        {
            entries.Add(DescribeCall(call));
        }

        return calls.Count > MaxApiCalls;
    }

    // A revocation event names a grant, a customer, an application or a list of tokens.
    // This pair's events are those that name one of its own.
    private static async Task AddAuditEventsAsync(BankDbContext db, ConsentRow consent, List<string> authorizationIds,
        List<TimelineEntry> entries, CancellationToken cancellationToken)
    {
        var since = consent.CreationDate is { } created ? Utc(created).AddMinutes(-1) : DateTimeOffset.MinValue;
        var candidates = await db.AuditEvents.AsNoTracking()
            .Where(e => RevocationActions.Contains(e.Action) && e.OccurredAt >= since
                && (e.ClientId == consent.ClientId || e.SubjectId == consent.Subject || e.SubjectId == consent.ApplicationId
                    || (e.SubjectId != null && authorizationIds.Contains(e.SubjectId))))
            .ToListAsync(cancellationToken);
        var events = candidates.Where(e => (e.SubjectId is not null
                && (authorizationIds.Contains(e.SubjectId) || e.SubjectId == consent.Subject || e.SubjectId == consent.ApplicationId))
            || authorizationIds.Any(id => e.After?.Contains(id, StringComparison.Ordinal) == true));
        foreach (var auditEvent in events)
        {
            entries.Add(new TimelineEntry(auditEvent.OccurredAt, TimelineKind.Revocation,
                auditEvent.Action switch
                {
                    AuditActions.ConsentRevoked => "Consent revoked",
                    AuditActions.ConsentGranted => "Consent recorded",
                    _ => "Tokens revoked",
                },
                $"{auditEvent.Details} By {auditEvent.ActorName ?? "the system"}."));
        }
    }

    private static TimelineEntry DescribeCall(ApiCall call)
    {
        var failed = call.StatusCode >= 400;
        if (call.Operation == ApiOperations.Transfer)
        {
            var amount = call.Amount is { } value ? Money.Format(value) : "an amount";
            return new TimelineEntry(call.OccurredAt, failed ? TimelineKind.Failure : TimelineKind.Transfer,
                failed ? $"Transfer of {amount} rejected ({call.StatusCode})" : $"Transfer of {amount}",
                call.TransferId is { } transferId ? $"Ledger transfer {transferId}, token {call.TokenId}." : $"Token {call.TokenId}.");
        }

        return new TimelineEntry(call.OccurredAt, failed ? TimelineKind.Failure : TimelineKind.ApiCall,
            call.Operation == ApiOperations.BalanceRead ? $"Balance read ({call.StatusCode})" : $"{call.Operation} ({call.StatusCode})",
            $"Token {call.TokenId}.");
    }

    private static IQueryable<OpenIddictEntityFrameworkCoreAuthorization> ForPair(
        IQueryable<OpenIddictEntityFrameworkCoreAuthorization> query, ConsentRow consent) =>
        query.Where(a => a.Subject == consent.Subject && a.Application!.Id == consent.ApplicationId);

    private static string DescribeType(string? type) => type switch
    {
        TokenKinds.AuthorizationCode => "Authorization code",
        TokenKinds.AccessToken => "Access token",
        TokenKinds.RefreshToken => "Refresh token",
        _ => type ?? "Token",
    };

    // OpenIddict stores UTC dates whose Kind is lost in SQLite.
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
