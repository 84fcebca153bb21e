using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenBanking.Web.Ledger;
using OpenBanking.Web.OAuth;
using OpenBanking.Web.OAuth.Performance;

namespace OpenBanking.Web.Api;

public static class BankApiExtensions
{
    /// <summary>
    /// Registers the bank API's services: snake_case JSON, RFC 7807 problem details, the ledger
    /// services, and one bearer-token policy per scope. MVC serves the site's other pages.
    /// </summary>
    public static IServiceCollection AddBankApi(this IServiceCollection services)
    {
        services.AddControllersWithViews();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, BankApiJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddScoped<LedgerService>();
        services.AddScoped<AccountService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<SettlementAccounts>();
        services.AddSingleton<BalanceQuery>();
        services.AddSingleton<LedgerVersion>();
        services.AddSingleton<ApiCallRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<ApiCallRecorder>());

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ScopePolicies.Read, policy => RequireScope(policy, BankScopes.Read))
            .AddPolicy(ScopePolicies.Write, policy => RequireScope(policy, BankScopes.Write))
            .AddPolicy(ScopePolicies.Payments, policy => RequireScope(policy, BankScopes.Payments));

        return services;
    }

    private static void RequireScope(AuthorizationPolicyBuilder policy, string scope) =>
        policy.AddAuthenticationSchemes(BankApiBearerHandler.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(scope));
}
