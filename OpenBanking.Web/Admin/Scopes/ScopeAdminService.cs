using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Scopes;

/// <summary>The fields of the scope form.</summary>
public sealed class ScopeInput
{
    public string Name { get; set; } = string.Empty;

    public string DisplayName { get; set; } = string.Empty;

    /// <summary>The sentence the consent page shows under the display name.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>API resources (audiences) that tokens with this scope are issued for.</summary>
    public List<string> Resources { get; set; } = [BankScopes.ApiResource];
}

/// <summary>A scope as the list shows it, with what still uses it.</summary>
public sealed record ScopeRow(string Id, ScopeInput Input, ScopeUsage Usage, bool BuiltIn);

/// <summary>Applications allowed a scope and live tokens whose grant includes it.</summary>
public sealed record ScopeUsage(IReadOnlyList<string> ClientIds, long LiveTokenCount)
{
    public bool InUse => ClientIds.Count > 0 || LiveTokenCount > 0;

    public string Describe() => InUse
        ? $"used by {ClientIds.Count} application(s) ({string.Join(", ", ClientIds)}) and {LiveTokenCount} live token(s)"
        : "not used by any application or live token";
}

/// <summary>Creates, edits and deletes OAuth scopes for the portal, checking the operator on each call.</summary>
public sealed partial class ScopeAdminService(
    AdminGuard guard,
    OperatorAudit audit,
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<BankDbContext> dbFactory,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<ScopeRow>> ListAsync(CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var rows = new List<ScopeRow>();
        await foreach (var entry in manager.ListAsync(count: null, offset: null, cancellationToken))
        {
            var input = await ReadAsync(manager, entry, cancellationToken);
            var id = await manager.GetIdAsync(entry, cancellationToken) ?? string.Empty;
            rows.Add(new ScopeRow(id, input, await GetUsageAsync(input.Name, cancellationToken), IsBuiltIn(input.Name)));
        }

        return [.. rows.OrderBy(row => row.Input.Name, StringComparer.Ordinal)];
    }

    /// <summary>Returns the applications and live tokens that use the scope, for the delete confirmation.</summary>
    public async Task<ScopeUsage> GetUsageForAsync(string name, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        return await GetUsageAsync(name, cancellationToken);
    }

    /// <summary>Creates a scope, or updates it when <paramref name="id"/> is set. Returns the errors by field.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SaveAsync(string? id, ScopeInput input, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var existing = id is null ? null : await manager.FindByIdAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Scope {id} was not found; it may have been deleted.");
        var errors = Validate(input);
        if (!errors.ContainsKey(nameof(input.Name)) && await manager.FindByNameAsync(input.Name, cancellationToken) is { } sameName
            && (existing is null || await manager.GetIdAsync(sameName, cancellationToken) != id))
        {
            errors[nameof(input.Name)] = $"A scope named '{input.Name}' already exists.";
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var descriptor = new OpenIddictScopeDescriptor();
        ScopeInput? before = null;
        if (existing is not null)
        {
            await manager.PopulateAsync(descriptor, existing, cancellationToken);
            before = await ReadAsync(manager, existing, cancellationToken);
            if (before.Name != input.Name && IsBuiltIn(before.Name))
            {
                return new Dictionary<string, string> { [nameof(input.Name)] = "A built-in scope of the bank API cannot be renamed." };
            }
        }

        descriptor.Name = input.Name.Trim();
        descriptor.DisplayName = input.DisplayName.Trim();
        descriptor.Description = input.Description.Trim();
        descriptor.Resources.Clear();
        descriptor.Resources.UnionWith(input.Resources.Select(resource => resource.Trim()).Where(resource => resource.Length > 0));

        string scopeId;
        if (existing is null)
        {
            scopeId = await manager.GetIdAsync(await manager.CreateAsync(descriptor, cancellationToken), cancellationToken) ?? string.Empty;
        }
        else
        {
            await manager.UpdateAsync(existing, descriptor, cancellationToken);
            scopeId = id!;
        }

        await audit.RecordAsync(actor, existing is null ? AuditActions.ScopeCreated : AuditActions.ScopeUpdated,
            new AuditSubject(AuditSubject.Scope, scopeId), before, input, cancellationToken: cancellationToken);
        return errors;
    }

    /// <summary>
    /// Deletes a scope and removes it from the applications allowed it. Tokens already issued
    /// keep the scope until they expire or are revoked. Built-in scopes cannot be deleted.
    /// </summary>
    public async Task<ScopeUsage> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var entry = await manager.FindByIdAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Scope {id} was not found; it may have been deleted.");
        var input = await ReadAsync(manager, entry, cancellationToken);
        if (IsBuiltIn(input.Name))
        {
            throw new InvalidOperationException($"The scope '{input.Name}' is built into the bank API and cannot be deleted.");
        }

        var usage = await GetUsageAsync(input.Name, cancellationToken);
        await RemoveFromApplicationsAsync(scope.ServiceProvider, input.Name, cancellationToken);
        await manager.DeleteAsync(entry, cancellationToken);
        await audit.RecordAsync(actor, AuditActions.ScopeDeleted, new AuditSubject(AuditSubject.Scope, id), before: input,
            details: $"Deleted while {usage.Describe()}.", cancellationToken: cancellationToken);

        return usage;
    }

    public static bool IsBuiltIn(string name) => BankScopes.Find(name) is not null;

    private static async Task RemoveFromApplicationsAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        var permission = Permissions.Prefixes.Scope + name;
        var holders = new List<object>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await applications.HasPermissionAsync(application, permission, cancellationToken))
            {
                holders.Add(application);
            }
        }

        foreach (var application in holders)
        {
            var descriptor = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, application, cancellationToken);
            descriptor.Permissions.Remove(permission);
            await applications.UpdateAsync(application, descriptor, cancellationToken);
        }
    }

    private async Task<ScopeUsage> GetUsageAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var permission = $"%\"{Permissions.Prefixes.Scope}{name}\"%";
        var clientIds = await db.Set<OpenIddictEntityFrameworkCoreApplication>()
            .Where(app => EF.Functions.Like(app.Permissions!, permission))
            .OrderBy(app => app.ClientId).Select(app => app.ClientId!).ToListAsync(cancellationToken);

        // Authorizations store their scopes as a JSON array of strings.
        var granted = $"%\"{name}\"%";
        var liveTokens = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .WhereLive(clock.GetUtcNow())
            .Where(token => EF.Functions.Like(token.Authorization!.Scopes!, granted))
            .LongCountAsync(cancellationToken);

        return new ScopeUsage(clientIds, liveTokens);
    }

    private static async Task<ScopeInput> ReadAsync(IOpenIddictScopeManager manager, object scope, CancellationToken cancellationToken) => new()
    {
        Name = await manager.GetNameAsync(scope, cancellationToken) ?? string.Empty,
        DisplayName = await manager.GetDisplayNameAsync(scope, cancellationToken) ?? string.Empty,
        Description = await manager.GetDescriptionAsync(scope, cancellationToken) ?? string.Empty,
        Resources = [.. await manager.GetResourcesAsync(scope, cancellationToken)],
    };

    private static Dictionary<string, string> Validate(ScopeInput input)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors[nameof(input.Name)] = "The name is required: clients send it in the scope parameter.";
        }
        else if (!ScopeNamePattern().IsMatch(input.Name))
        {
            errors[nameof(input.Name)] = "The name may contain only lowercase letters, digits, ':', '.', '_' and '-', up to 100 characters.";
        }

        if (string.IsNullOrWhiteSpace(input.DisplayName))
        {
            errors[nameof(input.DisplayName)] = "The display name is required: the consent page shows it.";
        }

        if (string.IsNullOrWhiteSpace(input.Description))
        {
            errors[nameof(input.Description)] = "The description is required: it tells customers what they grant.";
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9:._-]{1,100}$")]
    private static partial Regex ScopeNamePattern();
}
