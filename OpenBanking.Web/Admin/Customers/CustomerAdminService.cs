using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenBanking.Web.Ledger;

namespace OpenBanking.Web.Admin.Customers;

/// <summary>A user in the customers list.</summary>
public sealed record CustomerRow(
    string Id, string? Email, string? DisplayName, DateTimeOffset CreatedAt, bool IsAdmin, bool IsLockedOut, int AccountCount);

/// <summary>An account of a customer with its current balance.</summary>
public sealed record CustomerAccount(long Id, string Number, string Name, AccountKind Kind, decimal Balance, string Currency);

public sealed record CustomerDetails(CustomerRow Customer, DateTimeOffset? LockoutEnd, int AccessFailedCount, IReadOnlyList<CustomerAccount> Accounts);

/// <summary>
/// Searches customers, locks and unlocks them, and grants or removes the Admin role, checking
/// the operator on each call. An operator cannot lock or demote themselves, nor demote the
/// last operator, so the portal always keeps one way in.
/// </summary>
public sealed partial class CustomerAdminService(
    AdminGuard guard,
    OperatorAudit audit,
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<BankDbContext> dbFactory,
    TimeProvider clock,
    ILogger<CustomerAdminService> logger)
{
    public async Task<PageResult<CustomerRow>> ListAsync(string? search, PageRequest page, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim()}%";
            users = users.Where(user => EF.Functions.Like(user.Email!, pattern) || EF.Functions.Like(user.DisplayName!, pattern)
                || user.Id == search.Trim());
        }

        var total = await users.CountAsync(cancellationToken);
        var sorted = (page.SortBy, page.Descending) switch
        {
            ("CreatedAt", false) => users.OrderBy(user => user.CreatedAt),
            ("CreatedAt", true) => users.OrderByDescending(user => user.CreatedAt),
            ("DisplayName", false) => users.OrderBy(user => user.DisplayName),
            ("DisplayName", true) => users.OrderByDescending(user => user.DisplayName),
            (_, true) => users.OrderByDescending(user => user.Email),
            _ => users.OrderBy(user => user.Email),
        };
        var rows = await Project(db, sorted.ThenBy(user => user.Id).Skip(page.Skip).Take(page.Take)).ToListAsync(cancellationToken);

        return new PageResult<CustomerRow>([.. rows.Select(ToRow)], total);
    }

    public async Task<CustomerDetails?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await Project(db, db.Users.AsNoTracking().Where(user => user.Id == id)).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var accounts = new List<CustomerAccount>();
        foreach (var account in await db.Accounts.AsNoTracking().Where(account => account.OwnerId == id)
                     .OrderBy(account => account.Id).ToListAsync(cancellationToken))
        {
            var balance = await ledger.GetBalanceAsync(account.Id, cancellationToken);
            accounts.Add(new CustomerAccount(account.Id, account.Number, account.Name, account.Kind, balance, account.Currency));
        }

        return new CustomerDetails(ToRow(row), row.LockoutEnd, row.AccessFailedCount, accounts);
    }

    /// <summary>Locks the account until an operator unlocks it; its sessions and portal circuits end.</summary>
    public Task LockAsync(string id, CancellationToken cancellationToken) =>
        ChangeAsync(id, AuditActions.UserLocked, async (users, user, actor) =>
        {
            if (user.Id == actor.Id)
            {
                throw new InvalidOperationException("You cannot lock your own account.");
            }

            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        }, cancellationToken);

    public Task UnlockAsync(string id, CancellationToken cancellationToken) =>
        ChangeAsync(id, AuditActions.UserUnlocked, async (users, user, _) =>
        {
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
        }, cancellationToken);

    /// <summary>Grants or removes the Admin role; a removed operator's open portal closes within a minute.</summary>
    public Task SetAdminAsync(string id, bool isAdmin, CancellationToken cancellationToken) =>
        ChangeAsync(id, isAdmin ? AuditActions.AdminRoleGranted : AuditActions.AdminRoleRemoved, async (users, user, actor) =>
        {
            if (isAdmin)
            {
                if (!await users.IsInRoleAsync(user, Roles.Admin))
                {
                    Check(await users.AddToRoleAsync(user, Roles.Admin));
                }

                return;
            }

            if (user.Id == actor.Id)
            {
                throw new InvalidOperationException("You cannot remove your own Admin role: ask another operator.");
            }

            if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1)
            {
                throw new InvalidOperationException("This is the last operator: grant the Admin role to someone else first.");
            }

            Check(await users.RemoveFromRoleAsync(user, Roles.Admin));
        }, cancellationToken);

    private async Task ChangeAsync(string id, string action,
        Func<UserManager<BankUser>, BankUser, PortalOperator, Task> change, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
        var user = await users.FindByIdAsync(id) ?? throw new KeyNotFoundException($"User {id} was not found.");
        var before = await SnapshotAsync(users, user);
        await change(users, user, actor);

        // A new security stamp ends the user's cookie sessions at their next validation.
        Check(await users.UpdateSecurityStampAsync(user));
        var after = await SnapshotAsync(users, user);
        await audit.RecordAsync(actor, action, new AuditSubject(AuditSubject.User, id), before, after,
            details: user.Email, cancellationToken: cancellationToken);
        LogChanged(logger, actor.Id, action, id);
    }

    private async Task<object> SnapshotAsync(UserManager<BankUser> users, BankUser user) => new
    {
        email = user.Email,
        locked_out = user.LockoutEnd is { } end && end > clock.GetUtcNow(),
        admin = await users.IsInRoleAsync(user, Roles.Admin),
    };

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(error => error.Description)));
        }
    }

    private static IQueryable<CustomerProjection> Project(BankDbContext db, IQueryable<BankUser> users)
    {
        var adminRole = Roles.Admin.ToUpperInvariant();
        var adminRoleIds = db.Roles.Where(role => role.NormalizedName == adminRole).Select(role => role.Id);
        return users.Select(user => new CustomerProjection(
            user.Id,
            user.Email,
            user.DisplayName,
            user.CreatedAt,
            db.UserRoles.Any(link => link.UserId == user.Id && adminRoleIds.Contains(link.RoleId)),
            user.LockoutEnd,
            user.AccessFailedCount,
            db.Accounts.Count(account => account.OwnerId == user.Id)));
    }

    private CustomerRow ToRow(CustomerProjection row) => new(
        row.Id, row.Email, row.DisplayName, row.CreatedAt, row.IsAdmin,
        row.LockoutEnd is { } end && end > clock.GetUtcNow(), row.AccountCount);

    private sealed record CustomerProjection(
        string Id, string? Email, string? DisplayName, DateTimeOffset CreatedAt, bool IsAdmin,
        DateTimeOffset? LockoutEnd, int AccessFailedCount, int AccountCount);

    [LoggerMessage(EventId = 8141, Level = LogLevel.Information, Message = "Operator {OperatorId} applied {Action} to user {UserId}")]
    private static partial void LogChanged(ILogger logger, string operatorId, string action, string userId);
}
