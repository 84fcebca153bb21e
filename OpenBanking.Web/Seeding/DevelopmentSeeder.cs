using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Api;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenBanking.Web.Ledger;
using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Seeding;

/// <summary>
/// Fills a Development database with an operator, a funded customer, the demo application and a
/// load-test client. Each item is created only when missing, so running it again changes nothing.
/// </summary>
public sealed partial class DevelopmentSeeder(
    UserManager<BankUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOpenIddictApplicationManager applicationManager,
    AccountService accounts,
    BankDbContext db,
    IOptions<SeedSettings> options,
    ILogger<DevelopmentSeeder> logger)
{
    public const string DemoSettlementAccountNumber = "OB-DEMO-SETTLEMENT";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!await roleManager.RoleExistsAsync(Roles.Admin))
        {
            await roleManager.CreateAsync(new IdentityRole(Roles.Admin));
        }

        await EnsureUserAsync(settings.AdminEmail, settings.AdminPassword, "Operator", Roles.Admin);
        var customer = await EnsureUserAsync(settings.CustomerEmail, settings.CustomerPassword, "Alice", role: null);
        await EnsureCustomerAccountAsync(customer, settings.CustomerOpeningBalance, cancellationToken);
        await EnsureSettlementAccountAsync(cancellationToken);
        await EnsureDemoApplicationAsync(settings, cancellationToken);
        await EnsureLoadTestClientAsync(settings, cancellationToken);

        LogSeeded(logger, settings.AdminEmail, settings.AdminPassword, settings.CustomerEmail, settings.CustomerPassword);
        LogDemoClient(logger, settings.DemoClientId, settings.DemoClientSecret);
    }

    private async Task<BankUser> EnsureUserAsync(string email, string password, string displayName, string? role)
    {
        var user = await userManager.FindByEmailAsync(email);
        if (user is null)
        {
            user = new BankUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = displayName,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            ThrowOnFailure(await userManager.CreateAsync(user, password), email);
        }

        if (role is not null && !await userManager.IsInRoleAsync(user, role))
        {
            ThrowOnFailure(await userManager.AddToRoleAsync(user, role), email);
        }

        return user;
    }

    private async Task EnsureCustomerAccountAsync(BankUser customer, decimal openingBalance, CancellationToken cancellationToken)
    {
        if (await db.Accounts.AnyAsync(account => account.OwnerId == customer.Id, cancellationToken))
        {
            return;
        }

        var account = await accounts.OpenAsync("Savings", AccountKind.Customer, customer.Id, cancellationToken);
        await accounts.FundAsync(account, openingBalance, "Opening balance", cancellationToken);
    }

    private async Task EnsureSettlementAccountAsync(CancellationToken cancellationToken)
    {
        if (!await db.Accounts.AnyAsync(account => account.Number == DemoSettlementAccountNumber, cancellationToken))
        {
            await accounts.OpenAsync("Demo merchant settlement", AccountKind.Settlement, null, cancellationToken,
                DemoSettlementAccountNumber);
        }
    }

    private async Task EnsureDemoApplicationAsync(SeedSettings settings, CancellationToken cancellationToken)
    {
        if (await applicationManager.FindByClientIdAsync(settings.DemoClientId, cancellationToken) is not null)
        {
            return;
        }

        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = settings.DemoClientId,
            ClientSecret = settings.DemoClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = "OpenBanking Demo",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.Endpoints.Introspection,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + BankScopes.Read,
                Permissions.Prefixes.Scope + BankScopes.Write,
                Permissions.Prefixes.Scope + BankScopes.Payments,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            Properties =
            {
                [SettlementAccounts.PropertyName] = JsonSerializer.SerializeToElement(DemoSettlementAccountNumber),
            },
        };
        foreach (var uri in settings.DemoRedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        await applicationManager.CreateAsync(descriptor, cancellationToken);
    }

    private async Task EnsureLoadTestClientAsync(SeedSettings settings, CancellationToken cancellationToken)
    {
        if (await applicationManager.FindByClientIdAsync(settings.LoadTestClientId, cancellationToken) is not null)
        {
            return;
        }

        await applicationManager.CreateAsync(
            new OpenIddictApplicationDescriptor
            {
                ClientId = settings.LoadTestClientId,
                ClientSecret = settings.LoadTestClientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Token load-test client",
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.ClientCredentials,
                    Permissions.Prefixes.Scope + BankScopes.Read,
                },
            },
            cancellationToken);
    }

    private static void ThrowOnFailure(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            var errors = string.Join("; ", result.Errors.Select(error => error.Description));
            throw new InvalidOperationException($"Seeding user '{email}' failed: {errors}");
        }
    }

    // The seeded logins and the demo secret are fixtures from appsettings.Development.json,
    // printed so a newcomer can start the walkthrough. Nothing is seeded outside Development.
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Development logins: operator {AdminEmail} / {AdminPassword}, customer {CustomerEmail} / {CustomerPassword}")]
    private static partial void LogSeeded(
        ILogger logger, string adminEmail, string adminPassword, string customerEmail, string customerPassword);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information,
        Message = "Development demo client: client_id {ClientId}, client_secret {ClientSecret}")]
    private static partial void LogDemoClient(ILogger logger, string clientId, string clientSecret);
}
