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
    /// Keeps OpenIddict's server logs at Debug or above, whatever levels are configured, so no
    /// authorization code reaches a log. Configured levels above Debug stay as they are. OpenIddict already redacts secrets and tokens at every
    /// other level; the code verifier is kept out of its request log by <c>HideCodeVerifier</c>.
    /// </summary>
    /// <remarks>
    /// NOTE: a provider-specific level (Logging:Console:LogLevel:OpenIddict) outranks these rules
    /// and can bring Trace back; configure OpenIddict levels without a provider.
    /// </remarks>
    public static IServiceCollection AddSecretSafeLogging(this IServiceCollection services)
    {
        // Post-configured, so the rules come after those bound from configuration and win ties.
        // Each keeps the configured level and only raises it to Debug when it is lower.
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            foreach (var category in OpenIddictCategories)
            {
                var configured = ConfiguredLevel(options, category);
                var level = configured > LogLevel.Debug ? configured : LogLevel.Debug;
                options.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: category, logLevel: level, filter: null));
            }
        });

        return services;
    }

    // The level the provider-independent rules give the category: the longest matching category
    // prefix wins, and among equals the rule added last, as in Microsoft.Extensions.Logging.
    private static LogLevel ConfiguredLevel(LoggerFilterOptions options, string category) =>
        options.Rules
            .Reverse()
            .Where(rule => rule.ProviderName is null && rule.LogLevel is not null && rule.Filter is null
                && (rule.CategoryName is null || category.StartsWith(rule.CategoryName, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(rule => rule.CategoryName?.Length ?? 0)
            .Select(rule => rule.LogLevel!.Value)
            .DefaultIfEmpty(options.MinLevel)
            .First();
}
