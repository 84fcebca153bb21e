using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.OAuth.Performance;

public static class TokenPerformanceExtensions
{
    /// <summary>
    /// Replaces the slow defaults on the token paths: client secrets hashed with SHA-256 in place
    /// of PBKDF2 (<see cref="Sha256ClientSecretManager"/>), and symmetric keys for the tokens that
    /// only this server reads (<see cref="SymmetricTokenKeys"/>). Call after AddAuthorizationServer,
    /// whose certificates the keys are derived from.
    /// </summary>
    public static IServiceCollection AddTokenPerformance(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(options => options
                .ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, Sha256ClientSecretManager>())
            .AddServer(options => options.Configure(SymmetricTokenKeys.Add));

        return services;
    }
}
