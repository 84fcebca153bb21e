using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.OAuth;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Consents;

/// <summary>
/// Lists and revokes customers' consents (OpenIddict authorizations) for the portal.
/// Tokens belong to the ad-hoc authorization of their code flow, not to the consent, so the
/// tokens of a consent are all tokens of that customer for that application, and revoking a
/// consent withdraws every authorization and token of the pair through <see cref="GrantService"/>.
/// </summary>
public sealed partial class ConsentAdminService(
    AdminGuard guard,
    OperatorAudit audit,
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<BankDbContext> dbFactory,
    TimeProvider clock,
    ILogger<ConsentAdminService> logger)
{
    public async Task<PageResult<ConsentRow>> ListAsync(ConsentFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = await FilterAsync(db, filter, cancellationToken);
        var total = await query.CountAsync(cancellationToken);
        var sorted = page.SortBy switch
        {
            "Status" => page.Descending ? query.OrderByDescending(a => a.Status) : query.OrderBy(a => a.Status),
            "CreationDate" when !page.Descending => query.OrderBy(a => a.CreationDate),
            _ => query.OrderByDescending(a => a.CreationDate),
        };
        var rows = await Project(db, sorted.ThenBy(a => a.Id).Skip(page.Skip).Take(page.Take), clock.GetUtcNow())
            .ToListAsync(cancellationToken);

        return new PageResult<ConsentRow>([.. rows.Select(ToRow)], total);
    }

    public async Task<ConsentRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        return await FindAsync(id, cancellationToken);
    }

    /// <summary>Returns how many live tokens revoking the authorization would end.</summary>
    public async Task<int> CountTokensAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        return (await FindAsync(id, cancellationToken))?.LiveTokenCount ?? 0;
    }

    /// <summary>
    /// Revokes a consent with every authorization and token of its customer for its application,
    /// or one ad-hoc grant with its tokens. Returns the number of tokens that still worked.
    /// </summary>
    public async Task<long> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        var consent = await FindAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Authorization {id} was not found.");

        await using var scope = scopeFactory.CreateAsyncScope();
        var grants = scope.ServiceProvider.GetRequiredService<GrantService>();
        if (consent.Type == AuthorizationTypes.Permanent && consent.Subject is not null && consent.ClientId is not null)
        {
            await grants.RevokeCustomerAccessAsync(consent.Subject, consent.ClientId, cancellationToken);
        }
        else
        {
            await grants.RevokeAuthorizationAsync(id, cancellationToken);
        }

        // GrantService also counts tokens that had already ended (redeemed codes, used refresh
        // tokens); the live count read before the revocation is what the operator ended.
        long revoked = consent.LiveTokenCount;

        var subject = new AuditSubject(AuditSubject.Authorization, id, consent.ClientId);
        await audit.RecordAsync(actor, AuditActions.ConsentRevoked, subject,
            before: new { status = consent.Status, customer_id = consent.Subject, scopes = consent.Scopes },
            after: new { status = Statuses.Revoked, token_count = revoked },
            details: $"Revoked by an operator; {revoked} token(s) ended.", cancellationToken: cancellationToken);
        if (revoked > 0)
        {
            await audit.RecordAsync(actor, AuditActions.TokenRevoked, subject, after: new { token_count = revoked },
                details: "Consent revoked.", cancellationToken: cancellationToken);
        }

        LogRevoked(logger, actor.Id, id, consent.ClientId, revoked);
        return revoked;
    }

    internal async Task<ConsentRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking().Where(a => a.Id == id);
        var row = await Project(db, query, clock.GetUtcNow()).FirstOrDefaultAsync(cancellationToken);

        return row is null ? null : ToRow(row);
    }

    private static async Task<IQueryable<OpenIddictEntityFrameworkCoreAuthorization>> FilterAsync(
        BankDbContext db, ConsentFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking();
        query = filter.Kind switch
        {
            AuthorizationKind.Consents => query.Where(a => a.Type == AuthorizationTypes.Permanent),
            AuthorizationKind.Grants => query.Where(a => a.Type == AuthorizationTypes.AdHoc),
            _ => query,
        };
        if (!string.IsNullOrEmpty(filter.ApplicationId))
        {
            query = query.Where(a => a.Application!.Id == filter.ApplicationId);
        }

        if (!string.IsNullOrEmpty(filter.Status))
        {
            query = query.Where(a => a.Status == filter.Status);
        }

        if (!string.IsNullOrWhiteSpace(filter.Customer))
        {
            var customer = filter.Customer.Trim();
            var normalized = customer.ToUpperInvariant();
            var subject = await db.Users.Where(user => user.NormalizedEmail == normalized || user.Id == customer)
                .Select(user => user.Id).FirstOrDefaultAsync(cancellationToken) ?? customer;
            query = query.Where(a => a.Subject == subject);
        }

        return query;
    }

    private static IQueryable<ConsentProjection> Project(
        BankDbContext db, IQueryable<OpenIddictEntityFrameworkCoreAuthorization> query, DateTimeOffset now)
    {
        var tokens = db.Set<OpenIddictEntityFrameworkCoreToken>().WhereLive(now);
        return query.Select(a => new ConsentProjection(
            a.Id!,
            a.Type ?? string.Empty,
            a.Status ?? string.Empty,
            a.Subject,
            db.Users.Where(user => user.Id == a.Subject).Select(user => user.Email).FirstOrDefault(),
            a.Application!.Id,
            a.Application.ClientId,
            a.Application.DisplayName,
            a.Scopes,
            a.CreationDate,
            a.Type == AuthorizationTypes.Permanent
                ? tokens.Count(token => token.Subject == a.Subject && token.Application!.Id == a.Application.Id)
                : tokens.Count(token => token.Authorization!.Id == a.Id)));
    }

    private static ConsentRow ToRow(ConsentProjection row) => new(
        row.Id, row.Type, row.Status, row.Subject, row.CustomerEmail, row.ApplicationId, row.ClientId, row.ApplicationName,
        string.IsNullOrEmpty(row.Scopes) ? [] : JsonSerializer.Deserialize<string[]>(row.Scopes) ?? [],
        row.CreationDate, row.LiveTokenCount);

    private sealed record ConsentProjection(
        string Id, string Type, string Status, string? Subject, string? CustomerEmail, string? ApplicationId,
        string? ClientId, string? ApplicationName, string? Scopes, DateTime? CreationDate, int LiveTokenCount);

    [LoggerMessage(EventId = 8131, Level = LogLevel.Information,
        Message = "Operator {OperatorId} revoked authorization {AuthorizationId} of client {ClientId}: {TokenCount} tokens ended")]
    private static partial void LogRevoked(ILogger logger, string operatorId, string authorizationId, string? clientId, long tokenCount);
}
