using Microsoft.Extensions.Logging;

namespace OpenBanking.Web.Security;

public static class SecretSafeLogging
{
    // OpenIddict 7.9 writes the value of every authorization code, a reference identifier, at
    // Trace ("The reference identifier ... was successfully attached to the token entry").
    private static readonly string[] OpenIddictCategories =
    [
        "OpenIddict",
        "OpenIddict.Server",
        "OpenIddict.Server.OpenIddictServerDispatcher",
    ];

    /// <summary>
    /// Caps OpenIddict's server logs at Debug, whatever levels are configured, so no
    /// authorization code reaches a log. OpenIddict already redacts secrets and tokens at every
    /// other level; the code verifier is kept out of its request log by <c>HideCodeVerifier</c>.
    /// </summary>
    /// <remarks>
    /// NOTE: a provider-specific level (Logging:Console:LogLevel:OpenIddict) outranks these rules
    /// and can bring Trace back; configure OpenIddict levels without a provider.
    /// </remarks>
    public static IServiceCollection AddSecretSafeLogging(this IServiceCollection services)
    {
        // Post-configured, so the rules come after those bound from configuration and win ties.
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            foreach (var category in OpenIddictCategories)
            {
                options.Rules.Add(new LoggerFilterRule(
                    providerName: null, categoryName: category, logLevel: LogLevel.Debug, filter: null));
            }
        });

        return services;
    }
}
