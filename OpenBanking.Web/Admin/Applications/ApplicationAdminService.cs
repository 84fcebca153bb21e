using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Applications;

/// <summary>
/// Registers and governs OAuth client applications for the portal. Every method checks that the
/// caller is an operator and every change is written to the audit log. OpenIddict reads
/// applications from the database on each request, so changes apply to the next request.
/// </summary>
public sealed partial class ApplicationAdminService(
    AdminGuard guard,
    OperatorAudit audit,
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<BankDbContext> dbFactory,
    IOptionsMonitor<OpenIddictServerOptions> serverOptions,
    TimeProvider clock,
    ILogger<ApplicationAdminService> logger)
{
    public async Task<PageResult<ApplicationRow>> ListAsync(string? search, PageRequest page, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim()}%";
            query = query.Where(app => EF.Functions.Like(app.ClientId!, pattern) || EF.Functions.Like(app.DisplayName!, pattern));
        }

        var total = await query.CountAsync(cancellationToken);
        var sorted = (page.SortBy, page.Descending) switch
        {
            ("DisplayName", false) => query.OrderBy(app => app.DisplayName),
            ("DisplayName", true) => query.OrderByDescending(app => app.DisplayName),
            ("ClientType", false) => query.OrderBy(app => app.ClientType),
            ("ClientType", true) => query.OrderByDescending(app => app.ClientType),
            (_, true) => query.OrderByDescending(app => app.ClientId),
            _ => query.OrderBy(app => app.ClientId),
        };
        var rows = await sorted.Skip(page.Skip).Take(page.Take)
            .Select(app => new { app.Id, app.ClientId, app.DisplayName, app.ClientType, app.Properties, app.RedirectUris })
            .ToListAsync(cancellationToken);

        return new PageResult<ApplicationRow>(
            [.. rows.Select(row => new ApplicationRow(row.Id!, row.ClientId ?? string.Empty, row.DisplayName ?? string.Empty,
                row.ClientType ?? string.Empty, !ReadDisabled(row.Properties), CountJsonArray(row.RedirectUris)))],
            total);
    }

    public async Task<ApplicationDetails?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await manager.FindByIdAsync(id, cancellationToken);
        if (application is null)
        {
            return null;
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, application, cancellationToken);
        var input = ToInput(descriptor);
        var secretCreatedAt = ReadSecretCreatedAt(descriptor.Properties);
        var checks = SecurityReport.Evaluate(ToFacts(descriptor, input), GetServerFacts(), clock.GetUtcNow());

        return new ApplicationDetails(id, input, secretCreatedAt, checks, await CountLiveTokensCoreAsync(id, cancellationToken));
    }

    /// <summary>Returns the scopes and settlement accounts the form offers.</summary>
    public async Task<ApplicationFormOptions> GetFormOptionsAsync(CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var scopes = await db.Set<OpenIddictEntityFrameworkCoreScope>().AsNoTracking()
            .OrderBy(scope => scope.Name).Select(scope => scope.Name!).ToListAsync(cancellationToken);
        var accounts = await db.Accounts.AsNoTracking().Where(account => account.Kind == AccountKind.Settlement)
            .OrderBy(account => account.Number)
            .Select(account => new SettlementAccountOption(account.Number, account.Name))
            .ToListAsync(cancellationToken);

        return new ApplicationFormOptions(scopes, accounts);
    }

    public async Task<SaveResult> CreateAsync(ApplicationInput input, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        var errors = await ValidateAsync(input, existingId: null, cancellationToken);
        if (errors.Count > 0)
        {
            return SaveResult.Invalid(errors);
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var descriptor = new OpenIddictApplicationDescriptor();
        var secret = input.ClientType == ClientTypes.Confidential ? ClientSecrets.NewSecret() : null;
        Apply(input, descriptor);
        if (secret is not null)
        {
            descriptor.ClientSecret = secret;
            SetSecretCreatedAt(descriptor);
        }

        var application = await manager.CreateAsync(descriptor, cancellationToken);
        var id = await manager.GetIdAsync(application, cancellationToken) ?? string.Empty;
        await audit.RecordAsync(actor, AuditActions.ApplicationCreated, new AuditSubject(AuditSubject.Application, id, input.ClientId),
            after: input, cancellationToken: cancellationToken);
        LogCreated(logger, input.ClientId, actor.Id);

        return SaveResult.Saved(id, secret);
    }

    public async Task<SaveResult> UpdateAsync(string id, ApplicationInput input, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await manager.FindByIdAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Application {id} was not found; it may have been deleted.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, application, cancellationToken);
        var before = ToInput(descriptor);
        var errors = await ValidateAsync(input, id, cancellationToken);
        if (input.ClientId != before.ClientId)
        {
            // Clients send their client id with every request, so a new one would lock them out.
            errors[nameof(input.ClientId)] = $"The client id cannot change after registration: it stays '{before.ClientId}'.";
        }

        if (errors.Count > 0)
        {
            return SaveResult.Invalid(errors);
        }

        Apply(input, descriptor);
        var secret = AdjustSecretForClientType(descriptor, before.ClientType, input.ClientType);
        await manager.UpdateAsync(application, descriptor, cancellationToken);

        await audit.RecordAsync(actor, AuditActions.ApplicationUpdated, new AuditSubject(AuditSubject.Application, id, input.ClientId),
            before, input, cancellationToken: cancellationToken);
        LogUpdated(logger, input.ClientId, actor.Id);

        return SaveResult.Saved(id, secret);
    }

    /// <summary>Replaces the client secret; the old one stops working at once. Returns the new secret.</summary>
    public async Task<string> RotateSecretAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await manager.FindByIdAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Application {id} was not found; it may have been deleted.");
        if (!await manager.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken))
        {
            throw new InvalidOperationException("A public client has no secret to rotate.");
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, application, cancellationToken);
        var previous = ReadSecretCreatedAt(descriptor.Properties);
        var secret = ClientSecrets.NewSecret();
        SetSecretCreatedAt(descriptor);
        descriptor.ClientSecret = secret;

        // The manager detects the changed secret and stores only its hash.
        await manager.UpdateAsync(application, descriptor, cancellationToken);

        var clientId = descriptor.ClientId;
        await audit.RecordAsync(actor, AuditActions.ApplicationSecretRotated, new AuditSubject(AuditSubject.Application, id, clientId),
            new { secret_created_at = previous }, new { secret_created_at = ReadSecretCreatedAt(descriptor.Properties) },
            cancellationToken: cancellationToken);
        LogSecretRotated(logger, clientId, actor.Id);

        return secret;
    }

    /// <summary>Returns the number of tokens of the application that still work.</summary>
    public async Task<long> CountLiveTokensAsync(string id, CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        return await CountLiveTokensCoreAsync(id, cancellationToken);
    }

    /// <summary>
    /// Revokes every token and authorization of the application, then deletes it. Returns the
    /// number of tokens that were still valid.
    /// </summary>
    public async Task<long> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var actor = await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var application = await manager.FindByIdAsync(id, cancellationToken)
            ?? throw new KeyNotFoundException($"Application {id} was not found; it may have been deleted.");

        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, application, cancellationToken);
        var revoked = await tokens.RevokeAsync(subject: null, client: id, Statuses.Valid, type: null, cancellationToken);
        await authorizations.RevokeAsync(subject: null, client: id, Statuses.Valid, type: null, cancellationToken);
        await manager.DeleteAsync(application, cancellationToken);

        var subject = new AuditSubject(AuditSubject.Application, id, descriptor.ClientId);
        await audit.RecordAsync(actor, AuditActions.ApplicationDeleted, subject, before: ToInput(descriptor),
            details: $"Deleted with its {revoked} valid tokens.", cancellationToken: cancellationToken);
        if (revoked > 0)
        {
            await audit.RecordAsync(actor, AuditActions.TokenRevoked, subject, after: new { token_count = revoked },
                details: "Application deleted.", cancellationToken: cancellationToken);
        }

        LogDeleted(logger, descriptor.ClientId, actor.Id, revoked);
        return revoked;
    }

    /// <summary>Returns the applications that fail at least one security check.</summary>
    public async Task<IReadOnlyList<ApplicationSecuritySummary>> GetFailingSecurityChecksAsync(CancellationToken cancellationToken)
    {
        await guard.RequireAdminAsync();
        await using var scope = scopeFactory.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var server = GetServerFacts();
        var now = clock.GetUtcNow();
        var failing = new List<ApplicationSecuritySummary>();
        await foreach (var application in manager.ListAsync(count: null, offset: null, cancellationToken))
        {
            var descriptor = new OpenIddictApplicationDescriptor();
            await manager.PopulateAsync(descriptor, application, cancellationToken);
            var failed = SecurityReport.Evaluate(ToFacts(descriptor, ToInput(descriptor)), server, now)
                .Where(check => check.Outcome == CheckOutcome.Fail).ToList();
            if (failed.Count > 0)
            {
                var id = await manager.GetIdAsync(application, cancellationToken) ?? string.Empty;
                failing.Add(new ApplicationSecuritySummary(id, descriptor.ClientId ?? string.Empty, descriptor.DisplayName ?? string.Empty, failed));
            }
        }

        return failing;
    }

    private async Task<long> CountLiveTokensCoreAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(token => token.Application!.Id == id)
            .WhereLive(clock.GetUtcNow())
            .LongCountAsync(cancellationToken);
    }

    private async Task<Dictionary<string, string>> ValidateAsync(
        ApplicationInput input, string? existingId, CancellationToken cancellationToken)
    {
        var errors = ApplicationRules.Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!errors.ContainsKey(nameof(input.ClientId))
            && await db.Set<OpenIddictEntityFrameworkCoreApplication>()
                .AnyAsync(app => app.ClientId == input.ClientId && app.Id != existingId, cancellationToken))
        {
            errors[nameof(input.ClientId)] = $"The client id '{input.ClientId}' is already registered.";
        }

        var knownScopes = await db.Set<OpenIddictEntityFrameworkCoreScope>().Select(scope => scope.Name!).ToListAsync(cancellationToken);
        if (input.Scopes.FirstOrDefault(scope => !knownScopes.Contains(scope)) is { } unknownScope)
        {
            errors[nameof(input.Scopes)] = $"The scope '{unknownScope}' does not exist: create it on the Scopes page first.";
        }

        if (!string.IsNullOrEmpty(input.SettlementAccount)
            && !await db.Accounts.AnyAsync(
                account => account.Number == input.SettlementAccount && account.Kind == AccountKind.Settlement, cancellationToken))
        {
            errors[nameof(input.SettlementAccount)] = $"No settlement account has the number '{input.SettlementAccount}'.";
        }

        return errors;
    }

    private ServerSecurityFacts GetServerFacts()
    {
        var options = serverOptions.CurrentValue;
        return new ServerSecurityFacts(!options.DisableRollingRefreshTokens, options.RefreshTokenReuseLeeway);
    }

    // Switching to confidential needs a new secret; switching to public drops the secret.
    private string? AdjustSecretForClientType(OpenIddictApplicationDescriptor descriptor, string before, string after)
    {
        if (after == ClientTypes.Public)
        {
            descriptor.ClientSecret = null;
            descriptor.Properties.Remove(ApplicationProperties.SecretCreatedAt);
            return null;
        }

        if (before == ClientTypes.Confidential && !string.IsNullOrEmpty(descriptor.ClientSecret))
        {
            return null;
        }

        // OpenIddict's UpdateAsync(application, descriptor) hashes a secret that differs from the stored one.
        var secret = ClientSecrets.NewSecret();
        descriptor.ClientSecret = secret;
        SetSecretCreatedAt(descriptor);
        return secret;
    }

    private void SetSecretCreatedAt(OpenIddictApplicationDescriptor descriptor) =>
        descriptor.Properties[ApplicationProperties.SecretCreatedAt] =
            JsonSerializer.SerializeToElement(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes the form's fields into <paramref name="descriptor"/>. Permissions and properties
    /// that the form does not manage are kept.
    /// </summary>
    private static void Apply(ApplicationInput input, OpenIddictApplicationDescriptor descriptor)
    {
        descriptor.ClientId = input.ClientId.Trim();
        descriptor.DisplayName = input.DisplayName.Trim();
        descriptor.ClientType = input.ClientType;
        descriptor.ConsentType = input.ConsentType;

        descriptor.RedirectUris.Clear();
        descriptor.RedirectUris.UnionWith(input.RedirectUris.Select(uri => new Uri(uri, UriKind.Absolute)));
        descriptor.PostLogoutRedirectUris.Clear();
        descriptor.PostLogoutRedirectUris.UnionWith(input.PostLogoutRedirectUris.Select(uri => new Uri(uri, UriKind.Absolute)));

        descriptor.Permissions.RemoveWhere(IsManagedPermission);
        descriptor.Permissions.UnionWith(PermissionsFor(input));
        if (input.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        SetProperty(descriptor, ApplicationProperties.SettlementAccount,
            string.IsNullOrEmpty(input.SettlementAccount) ? null : JsonSerializer.SerializeToElement(input.SettlementAccount));
        SetProperty(descriptor, ApplicationProperties.Disabled,
            input.Enabled ? null : JsonSerializer.SerializeToElement(true));
    }

    private static IEnumerable<string> PermissionsFor(ApplicationInput input)
    {
        yield return Permissions.Endpoints.Token;
        yield return Permissions.Endpoints.Revocation;
        if (input.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            yield return Permissions.Endpoints.Authorization;
            yield return Permissions.ResponseTypes.Code;
        }

        foreach (var grantType in input.GrantTypes)
        {
            yield return Permissions.Prefixes.GrantType + grantType;
        }

        foreach (var scope in input.Scopes)
        {
            yield return Permissions.Prefixes.Scope + scope;
        }
    }

    private static bool IsManagedPermission(string permission) =>
        permission.StartsWith(Permissions.Prefixes.Endpoint, StringComparison.Ordinal)
        || permission.StartsWith(Permissions.Prefixes.GrantType, StringComparison.Ordinal)
        || permission.StartsWith(Permissions.Prefixes.ResponseType, StringComparison.Ordinal)
        || permission.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal);

    private static void SetProperty(OpenIddictApplicationDescriptor descriptor, string name, JsonElement? value)
    {
        if (value is { } element)
        {
            descriptor.Properties[name] = element;
        }
        else
        {
            descriptor.Properties.Remove(name);
        }
    }

    private static ApplicationInput ToInput(OpenIddictApplicationDescriptor descriptor) => new()
    {
        ClientId = descriptor.ClientId ?? string.Empty,
        DisplayName = descriptor.DisplayName ?? string.Empty,
        ClientType = descriptor.ClientType ?? ClientTypes.Confidential,
        ConsentType = descriptor.ConsentType ?? ConsentTypes.Explicit,
        GrantTypes = [.. WithPrefix(descriptor.Permissions, Permissions.Prefixes.GrantType)],
        Scopes = [.. WithPrefix(descriptor.Permissions, Permissions.Prefixes.Scope)],
        RedirectUris = [.. descriptor.RedirectUris.Select(uri => uri.OriginalString).Order(StringComparer.Ordinal)],
        PostLogoutRedirectUris = [.. descriptor.PostLogoutRedirectUris.Select(uri => uri.OriginalString).Order(StringComparer.Ordinal)],
        SettlementAccount = descriptor.Properties.TryGetValue(ApplicationProperties.SettlementAccount, out var account)
            && account.ValueKind == JsonValueKind.String ? account.GetString() : null,
        Enabled = !(descriptor.Properties.TryGetValue(ApplicationProperties.Disabled, out var disabled)
            && disabled.ValueKind == JsonValueKind.True),
    };

    private static ApplicationSecurityFacts ToFacts(OpenIddictApplicationDescriptor descriptor, ApplicationInput input) =>
        new(input.ClientType, input.GrantTypes, input.RedirectUris,
            descriptor.Requirements.Contains(Requirements.Features.ProofKeyForCodeExchange),
            ReadSecretCreatedAt(descriptor.Properties));

    private static IEnumerable<string> WithPrefix(IEnumerable<string> permissions, string prefix) =>
        permissions.Where(permission => permission.StartsWith(prefix, StringComparison.Ordinal))
            .Select(permission => permission[prefix.Length..]);

    private static DateTimeOffset? ReadSecretCreatedAt(Dictionary<string, JsonElement> properties) =>
        properties.TryGetValue(ApplicationProperties.SecretCreatedAt, out var value)
        && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var created)
            ? created
            : null;

    private static bool ReadDisabled(string? propertiesJson)
    {
        if (string.IsNullOrEmpty(propertiesJson))
        {
            return false;
        }

        using var document = JsonDocument.Parse(propertiesJson);
        return document.RootElement.TryGetProperty(ApplicationProperties.Disabled, out var disabled)
            && disabled.ValueKind == JsonValueKind.True;
    }

    private static int CountJsonArray(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return 0;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : 0;
    }

    [LoggerMessage(EventId = 8111, Level = LogLevel.Information, Message = "Operator {OperatorId} registered client {ClientId}")]
    private static partial void LogCreated(ILogger logger, string clientId, string operatorId);

    [LoggerMessage(EventId = 8112, Level = LogLevel.Information, Message = "Operator {OperatorId} updated client {ClientId}")]
    private static partial void LogUpdated(ILogger logger, string clientId, string operatorId);

    [LoggerMessage(EventId = 8113, Level = LogLevel.Information, Message = "Operator {OperatorId} rotated the secret of client {ClientId}")]
    private static partial void LogSecretRotated(ILogger logger, string? clientId, string operatorId);

    [LoggerMessage(EventId = 8114, Level = LogLevel.Information,
        Message = "Operator {OperatorId} deleted client {ClientId} and revoked its {TokenCount} valid tokens")]
    private static partial void LogDeleted(ILogger logger, string? clientId, string operatorId, long tokenCount);
}
