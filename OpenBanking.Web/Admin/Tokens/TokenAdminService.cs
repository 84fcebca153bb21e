using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Tokens;

/// <summary>
/// Lists and revokes tokens for the portal. Queries are paged in SQL, so the grid reads one
/// page whatever the table holds. Revoking a token ends the rest of its grant (the ad-hoc
/// authorization of one code flow), as the revocation endpoint does.
/// </summary>
public sealed partial class TokenAdminService(
    AdminGuard guard,
    OperatorAudit audit,
    IDbContextFactory<BankDbContext> dbFactory,
    TimeProvider clock,
    ILogger<TokenAdminService> logger)
{
    private const int MaxAuditedTokenIds = 50;

    public async Task<PageResult<TokenRow>> ListAsync(TokenFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await QueryPageAsync(db, filter, page, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    /// <summary>
    /// Reads one page of the grid and the total for its pager, without the operator check that
    /// <see cref="ListAsync"/> makes. The bench tool times this method.
    /// </summary>
    public static async Task<PageResult<TokenRow>> QueryPageAsync(
        BankDbContext db, TokenFilter filter, PageRequest page, DateTime utcNow, CancellationToken cancellationToken)
    {
        var query = await FilterAsync(db, filter, utcNow, cancellationToken);
        var total = await query.CountAsync(cancellationToken);
        var rows = await SelectPage(db, query, page).ToListAsync(cancellationToken);

        return new PageResult<TokenRow>([.. rows.Select(row => WithExpiry(row, utcNow))], total);
    }

    /// <summary>Builds the query of one sorted page of <paramref name="tokens"/>.</summary>
    public static IQueryable<TokenRow> SelectPage(
        BankDbContext db, IQueryable<OpenIddictEntityFrameworkCoreToken> tokens, PageRequest page) =>
        Project(db, Sort(tokens, page).Skip(page.Skip).Take(page.Take));

    public async Task<TokenDetails?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tokens = db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking().Where(token => token.Id == id);
        var row = await Project(db, tokens).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var grant = await tokens.Select(token => new
        {
            token.Authorization!.Type,
            token.Authorization.Status,
            token.Authorization.Scopes,
        }).FirstAsync(cancellationToken);

        return new TokenDetails(WithExpiry(row, clock.GetUtcNow().UtcDateTime), grant.Type, grant.Status, grant.Scopes);
    }

    public async Task<IReadOnlyList<ApplicationChoice>> ListApplicationsAsync(CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().OrderBy(app => app.ClientId)
            .Select(app => new ApplicationChoice(app.Id!, app.ClientId!, app.DisplayName ?? app.ClientId!))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Returns how many tokens <see cref="RevokeAsync"/> would end now.</summary>
    public async Task<int> CountToRevokeAsync(TokenRevocation revocation, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (tokens, _) = await SelectAsync(db, revocation, cancellationToken);

        return await tokens.CountAsync(cancellationToken);
    }

    /// <summary>Revokes the tokens and their ad-hoc grants; returns the number of tokens that ended.</summary>
    public async Task<int> RevokeAsync(TokenRevocation revocation, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (tokens, grants) = await SelectAsync(db, revocation, cancellationToken);
        var ids = await tokens.Select(token => token.Id!).Take(MaxAuditedTokenIds).ToListAsync(cancellationToken);
        var grantIds = await grants.Select(authorization => authorization.Id!).Take(MaxAuditedTokenIds).ToListAsync(cancellationToken);
        var clientIds = await tokens.Select(token => token.Application!.ClientId).Distinct().Take(2).ToListAsync(cancellationToken);
        var stamp = Guid.NewGuid().ToString();
        var revoked = await tokens.ExecuteUpdateAsync(setters => setters
            .SetProperty(token => token.Status, Statuses.Revoked)
            .SetProperty(token => token.ConcurrencyToken, stamp), cancellationToken);
        await grants.Where(authorization => authorization.Status == Statuses.Valid)
            .ExecuteUpdateAsync(setters => setters
                .SetProperty(authorization => authorization.Status, Statuses.Revoked)
                .SetProperty(authorization => authorization.ConcurrencyToken, stamp), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The grant ids let the grant timeline find this event; the client id is set when there is one.
        var subject = DescribeSubject(revocation) with { ClientId = clientIds.Count == 1 ? clientIds[0] : null };
        await audit.RecordAsync(actor, AuditActions.TokenRevoked, subject,
            after: new { token_count = revoked, token_ids = ids, authorization_ids = grantIds }, details: Describe(revocation, revoked),
            cancellationToken: cancellationToken);
        LogRevoked(logger, actor.Id, revoked, revocation.CustomerId, revocation.ApplicationId);

        return revoked;
    }

    /// <summary>
    /// Returns the live tokens that a revocation ends and the ad-hoc authorizations (grants)
    /// that end with them.
    /// </summary>
    private async Task<(IQueryable<OpenIddictEntityFrameworkCoreToken> Tokens, IQueryable<OpenIddictEntityFrameworkCoreAuthorization> Grants)>
        SelectAsync(BankDbContext db, TokenRevocation revocation, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var allTokens = db.Set<OpenIddictEntityFrameworkCoreToken>();
        var adHoc = db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .Where(authorization => authorization.Type == AuthorizationTypes.AdHoc);

        if (revocation.TokenIds is { Count: > 0 } tokenIds)
        {
            var grantIds = await allTokens.Where(token => tokenIds.Contains(token.Id!)
                    && token.Authorization!.Type == AuthorizationTypes.AdHoc)
                .Select(token => token.Authorization!.Id!).Distinct().ToListAsync(cancellationToken);
            var tokens = allTokens.WhereLive(now)
                .Where(token => tokenIds.Contains(token.Id!) || grantIds.Contains(token.Authorization!.Id!));
            return (tokens, adHoc.Where(authorization => grantIds.Contains(authorization.Id!)));
        }

        if (!string.IsNullOrEmpty(revocation.CustomerId))
        {
            var customerId = await ResolveCustomerAsync(db, revocation.CustomerId.Trim(), cancellationToken);
            return (allTokens.WhereLive(now).Where(token => token.Subject == customerId),
                adHoc.Where(authorization => authorization.Subject == customerId));
        }

        if (!string.IsNullOrEmpty(revocation.ApplicationId))
        {
            var applicationId = revocation.ApplicationId;
            return (allTokens.WhereLive(now).Where(token => token.Application!.Id == applicationId),
                adHoc.Where(authorization => authorization.Application!.Id == applicationId));
        }

        throw new ArgumentException("Name the tokens to revoke: token ids, a customer or an application.", nameof(revocation));
    }

    private static async Task<IQueryable<OpenIddictEntityFrameworkCoreToken>> FilterAsync(
        BankDbContext db, TokenFilter filter, DateTime utcNow, CancellationToken cancellationToken)
    {
        var query = db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking();
        if (!string.IsNullOrEmpty(filter.ApplicationId))
        {
            query = query.Where(token => token.Application!.Id == filter.ApplicationId);
        }

        if (!string.IsNullOrWhiteSpace(filter.Customer))
        {
            var subject = await ResolveCustomerAsync(db, filter.Customer.Trim(), cancellationToken);
            query = query.Where(token => token.Subject == subject);
        }

        if (!string.IsNullOrEmpty(filter.Type))
        {
            query = query.Where(token => token.Type == filter.Type);
        }

        if (filter.CreatedFrom is { } from)
        {
            var fromUtc = from.UtcDateTime;
            query = query.Where(token => token.CreationDate >= fromUtc);
        }

        if (filter.CreatedTo is { } to)
        {
            var toUtc = to.UtcDateTime;
            query = query.Where(token => token.CreationDate < toUtc);
        }

        return filter.Status is { } status ? WhereStatus(query, status, utcNow) : query;
    }

    private static IQueryable<OpenIddictEntityFrameworkCoreToken> WhereStatus(
        IQueryable<OpenIddictEntityFrameworkCoreToken> query, TokenStatusFilter status, DateTime utcNow) => status switch
    {
        TokenStatusFilter.Valid => query.Where(token => token.Status == Statuses.Valid
            && (token.ExpirationDate == null || token.ExpirationDate > utcNow)),
        TokenStatusFilter.Expired => query.Where(token => token.Status == Statuses.Valid && token.ExpirationDate <= utcNow),
        TokenStatusFilter.Redeemed => query.Where(token => token.Status == Statuses.Redeemed),
        TokenStatusFilter.Revoked => query.Where(token => token.Status == Statuses.Revoked),
        _ => query.Where(token => token.Status == Statuses.Inactive),
    };

    // The customer filter accepts an email address or a user id.
    private static async Task<string> ResolveCustomerAsync(BankDbContext db, string customer, CancellationToken cancellationToken)
    {
        var normalized = customer.ToUpperInvariant();
        var id = await db.Users.Where(user => user.NormalizedEmail == normalized || user.Id == customer)
            .Select(user => user.Id).FirstOrDefaultAsync(cancellationToken);
        return id ?? customer;
    }

    private static IOrderedQueryable<OpenIddictEntityFrameworkCoreToken> Sort(
        IQueryable<OpenIddictEntityFrameworkCoreToken> query, PageRequest page) => (page.SortBy, page.Descending) switch
    {
        ("ExpirationDate", false) => query.OrderBy(token => token.ExpirationDate).ThenBy(token => token.Id),
        ("ExpirationDate", true) => query.OrderByDescending(token => token.ExpirationDate).ThenByDescending(token => token.Id),
        ("Type", false) => query.OrderBy(token => token.Type).ThenByDescending(token => token.CreationDate),
        ("Type", true) => query.OrderByDescending(token => token.Type).ThenByDescending(token => token.CreationDate),
        // Both directions follow the (CreationDate, Id) index, forwards or backwards.
        ("CreationDate", false) => query.OrderBy(token => token.CreationDate).ThenBy(token => token.Id),
        _ => query.OrderByDescending(token => token.CreationDate).ThenByDescending(token => token.Id),
    };

    private static IQueryable<TokenRow> Project(BankDbContext db, IQueryable<OpenIddictEntityFrameworkCoreToken> tokens) =>
        tokens.Select(token => new TokenRow(
            token.Id!,
            token.Type ?? string.Empty,
            token.Status ?? string.Empty,
            token.Application!.Id,
            token.Application.ClientId,
            token.Subject,
            db.Users.Where(user => user.Id == token.Subject).Select(user => user.Email).FirstOrDefault(),
            token.Authorization!.Id,
            token.CreationDate,
            token.ExpirationDate,
            token.RedemptionDate));

    private static TokenRow WithExpiry(TokenRow row, DateTime utcNow) =>
        row.Status == Statuses.Valid && row.ExpirationDate is { } expires && expires <= utcNow
            ? row with { Status = "expired" }
            : row;

    private static AuditSubject DescribeSubject(TokenRevocation revocation) =>
        revocation.CustomerId is { } customer ? new AuditSubject(AuditSubject.User, customer)
        : revocation.ApplicationId is { } application ? new AuditSubject(AuditSubject.Application, application)
        : new AuditSubject(AuditSubject.Token, string.Join(',', revocation.TokenIds!.Take(5)));

    private static string Describe(TokenRevocation revocation, int revoked) =>
        revocation.CustomerId is not null ? $"Revoked every token of the customer: {revoked} ended."
        : revocation.ApplicationId is not null ? $"Revoked every token of the application: {revoked} ended."
        : $"Revoked {revocation.TokenIds!.Count} selected token(s) and the rest of their grants: {revoked} ended.";

    [LoggerMessage(EventId = 8121, Level = LogLevel.Information,
        Message = "Operator {OperatorId} revoked {TokenCount} tokens (customer {CustomerId}, application {ApplicationId})")]
    private static partial void LogRevoked(ILogger logger, string operatorId, int tokenCount, string? customerId, string? applicationId);
}
