using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpenBanking.Web.OAuth.Performance;

public static class TokenPerformanceExtensions
{
    /// <summary>
    /// Replaces the slow defaults on the token paths: symmetric keys for the tokens that only
    /// this server reads (<see cref="SymmetricTokenKeys"/>), and bearer token validation
    /// through an exactly invalidated cache (<see cref="TokenValidationCache"/>). Call after
    /// AddAuthorizationServer, whose certificates the keys are derived from.
    /// </summary>
    public static IServiceCollection AddTokenPerformance(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddServer(options => options.Configure(SymmetricTokenKeys.Add))
            .AddValidation(options =>
            {
                foreach (var descriptor in CachedTokenValidationHandlers.Replaced)
                {
                    options.RemoveEventHandler(descriptor);
                }

                foreach (var descriptor in CachedTokenValidationHandlers.Added)
                {
                    options.AddEventHandler(descriptor);
                }
            });

        services.AddSingleton<TokenValidationCache>();
        services.AddSingleton<AcceptedTokens>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, BankApiBearerHandler>(BankApiBearerHandler.SchemeName, displayName: null, _ => { });

        // The base handler logs every challenge at Information, one line per 401, and writing it
        // cost about a sixth of the 401 path's throughput. ASP.NET Core's own handlers log under
        // Microsoft.AspNetCore, which the settings keep at Warning, and this one follows them. The
        // rule goes first, so a setting for the same category, a later rule, still wins.
        services.Configure<LoggerFilterOptions>(options => options.Rules.Insert(
            0, new LoggerFilterRule(null, typeof(BankApiBearerHandler).FullName, LogLevel.Warning, null)));
        services.AddSingleton<IInterceptor, TokenWriteInvalidator>();

        return services;
    }
}
