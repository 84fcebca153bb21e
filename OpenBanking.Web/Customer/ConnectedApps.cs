using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Api;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Customer;

/// <summary>
/// Lists the applications a customer has granted access to, from their valid permanent
/// OpenIddict authorizations (the remembered consents), with what each application did: balance
/// reads from <see cref="ApiCall"/> rows and payments from <see cref="Transfer"/> rows.
/// </summary>
public sealed class ConnectedApps(
    BankDbContext db,
    IOpenIddictApplicationManager applicationManager,
    IOpenIddictAuthorizationManager authorizationManager,
    ScopeDescriptions scopeDescriptions,
    ApiCallRecorder apiCalls)
{
    /// <summary>Number of recent transfers listed under each application.</summary>
    public const int RecentTransferCount = 10;

    public async Task<IReadOnlyList<ConnectedApp>> ListAsync(string customerId, CancellationToken cancellationToken)
    {
        // The API call log is written in batches; the customer sees every call made so far.
        await apiCalls.FlushAsync(cancellationToken);
        var grants = await FindConsentsAsync(customerId, cancellationToken);
        var accountIds = await db.Accounts.AsNoTracking()
            .Where(account => account.OwnerId == customerId)
            .Select(account => account.Id)
            .ToListAsync(cancellationToken);

        var apps = new List<ConnectedApp>();
        foreach (var (applicationId, consents) in grants)
        {
            var application = await applicationManager.FindByIdAsync(applicationId, cancellationToken);
            if (application is not null)
            {
                apps.Add(await DescribeAsync(customerId, application, consents, accountIds, cancellationToken));
            }
        }

        return [.. apps.OrderBy(app => app.DisplayName, StringComparer.CurrentCultureIgnoreCase)];
    }

    // Valid permanent authorizations of the customer, grouped by application id. A customer
    // who later granted more scopes has several; together they make up the app's access.
    private async Task<Dictionary<string, List<Consent>>> FindConsentsAsync(
        string customerId, CancellationToken cancellationToken)
    {
        var grants = new Dictionary<string, List<Consent>>(StringComparer.Ordinal);
        await foreach (var authorization in authorizationManager.FindBySubjectAsync(customerId, cancellationToken))
        {
            if (!await authorizationManager.HasTypeAsync(authorization, AuthorizationTypes.Permanent, cancellationToken)
                || !await authorizationManager.HasStatusAsync(authorization, Statuses.Valid, cancellationToken)
                || await authorizationManager.GetApplicationIdAsync(authorization, cancellationToken) is not { } applicationId)
            {
                continue;
            }

            var consent = new Consent(
                await authorizationManager.GetScopesAsync(authorization, cancellationToken),
                await authorizationManager.GetCreationDateAsync(authorization, cancellationToken));
            if (!grants.TryGetValue(applicationId, out var list))
            {
                grants[applicationId] = list = [];
            }

            list.Add(consent);
        }

        return grants;
    }

    private async Task<ConnectedApp> DescribeAsync(
        string customerId, object application, List<Consent> consents, List<long> accountIds,
        CancellationToken cancellationToken)
    {
        var clientId = await applicationManager.GetClientIdAsync(application, cancellationToken) ?? string.Empty;
        var scopeNames = consents.SelectMany(consent => consent.Scopes).Distinct(StringComparer.Ordinal);
        var transfers = await db.Transfers.AsNoTracking()
            .Where(transfer => transfer.ClientId == clientId && accountIds.Contains(transfer.DebitAccountId))
            .OrderByDescending(transfer => transfer.Id)
            .Select(transfer => new { transfer.Id, transfer.CreatedAt, transfer.Amount, transfer.CreditAccountId })
            .ToListAsync(cancellationToken);
        var payees = await db.Accounts.AsNoTracking()
            .Where(account => transfers.Select(transfer => transfer.CreditAccountId).Contains(account.Id))
            .ToDictionaryAsync(account => account.Id, cancellationToken);
        var calls = db.ApiCalls.AsNoTracking()
            .Where(call => call.CustomerId == customerId && call.ClientId == clientId);
        var lastCall = await calls.OrderByDescending(call => call.OccurredAt)
            .Select(call => (DateTimeOffset?)call.OccurredAt)
            .FirstOrDefaultAsync(cancellationToken);
        var balanceReads = await calls.CountAsync(
            call => call.Operation == ApiOperations.BalanceRead && call.StatusCode == StatusCodes.Status200OK,
            cancellationToken);

        return new ConnectedApp(
            clientId,
            await applicationManager.GetLocalizedDisplayNameAsync(application, cancellationToken) ?? clientId,
            await applicationManager.GetHomePageAsync(application, cancellationToken),
            await scopeDescriptions.DescribeAllAsync(scopeNames, cancellationToken),
            consents.Min(consent => consent.CreatedAt),
            Latest(lastCall, transfers.Count == 0 ? null : transfers[0].CreatedAt),
            balanceReads,
            transfers.Count,
            transfers.Sum(transfer => transfer.Amount),
            [.. transfers.Take(RecentTransferCount).Select(transfer => new AppTransfer(
                transfer.Id,
                transfer.CreatedAt,
                transfer.Amount,
                payees.TryGetValue(transfer.CreditAccountId, out var payee) ? payee.Name : "Unknown account"))]);
    }

    // API calls reach the database in batches; a transfer row is written at once, so it may be newer.
    private static DateTimeOffset? Latest(DateTimeOffset? first, DateTimeOffset? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        return first > second ? first : second;
    }

    private sealed record Consent(IEnumerable<string> Scopes, DateTimeOffset? CreatedAt);
}

/// <summary>An application as the customer's connected-apps page shows it.</summary>
public sealed record ConnectedApp(
    string ClientId,
    string DisplayName,
    Uri? HomePage,
    IReadOnlyList<BankScope> Scopes,
    DateTimeOffset? GrantedAt,
    DateTimeOffset? LastUsedAt,
    int BalanceReads,
    int TransferCount,
    decimal TransferTotal,
    IReadOnlyList<AppTransfer> RecentTransfers);

/// <summary>A payment an application made from the customer's account.</summary>
public sealed record AppTransfer(long TransferId, DateTimeOffset CreatedAt, decimal Amount, string PayeeName);
