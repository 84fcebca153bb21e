using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenBanking.Web.Ledger;
using OpenBanking.Web.OAuth;
using OpenIddict.Validation.AspNetCore;

namespace OpenBanking.Web.Api;

public static class BankApiExtensions
{
    /// <summary>
    /// Registers the bank API: controllers with snake_case JSON, RFC 7807 problem details, the
    /// ledger services, and one bearer-token policy per scope.
    /// </summary>
    public static IServiceCollection AddBankApi(this IServiceCollection services)
    {
        services.AddControllersWithViews()
            .AddJsonOptions(options =>
            {
                options.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
                options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, BankApiJsonContext.Default);
            });
        services.AddProblemDetails();
        services.AddScoped<LedgerService>();
        services.AddScoped<AccountService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<SettlementAccounts>();
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
        policy.AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(scope));
}
