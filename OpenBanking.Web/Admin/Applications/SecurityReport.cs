using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Applications;

public enum CheckOutcome
{
    Pass,
    Fail,

    /// <summary>The check does not apply, such as secret age for a public client.</summary>
    NotApplicable,
}

/// <summary>One line of an application's security report.</summary>
public sealed record SecurityCheck(string Name, CheckOutcome Outcome, string Detail);

/// <summary>What the security report reads of an application.</summary>
public sealed record ApplicationSecurityFacts(
    string ClientType,
    IReadOnlyCollection<string> GrantTypes,
    IReadOnlyList<string> RedirectUris,
    bool RequiresPkce,
    DateTimeOffset? SecretCreatedAt);

/// <summary>Server settings that the report checks along with the application.</summary>
public sealed record ServerSecurityFacts(bool RollingRefreshTokens, TimeSpan? RefreshTokenReuseLeeway);

/// <summary>Evaluates the security checks of one application.</summary>
public static class SecurityReport
{
    /// <summary>Secrets older than this fail the secret-age check.</summary>
    public static readonly TimeSpan MaxSecretAge = TimeSpan.FromDays(90);

    public static IReadOnlyList<SecurityCheck> Evaluate(
        ApplicationSecurityFacts application, ServerSecurityFacts server, DateTimeOffset now) =>
    [
        CheckPkce(application),
        CheckConfidential(application),
        CheckHttpsRedirects(application),
        CheckNoWildcard(application),
        CheckRefreshRotation(application, server),
        CheckSecretAge(application, now),
    ];

    private static SecurityCheck CheckPkce(ApplicationSecurityFacts application)
    {
        const string name = "PKCE required";
        if (!application.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            return new(name, CheckOutcome.NotApplicable, "The application does not use the authorization code flow.");
        }

        return application.RequiresPkce
            ? new(name, CheckOutcome.Pass, "Every authorization request must carry an S256 code challenge.")
            : new(name, CheckOutcome.Fail, "The application is not marked as requiring PKCE: save it in the portal to add the requirement.");
    }

    private static SecurityCheck CheckConfidential(ApplicationSecurityFacts application) =>
        application.ClientType == ClientTypes.Confidential
            ? new("Confidential client", CheckOutcome.Pass, "The client authenticates with a secret at the token endpoint.")
            : new("Confidential client", CheckOutcome.Fail,
                "A public client cannot authenticate: anyone who knows its client id can redeem its codes with PKCE.");

    private static SecurityCheck CheckHttpsRedirects(ApplicationSecurityFacts application)
    {
        const string name = "HTTPS-only redirect URIs";
        if (application.RedirectUris.Count == 0)
        {
            return new(name, CheckOutcome.NotApplicable, "The application has no redirect URI.");
        }

        var insecure = application.RedirectUris.Where(uri => uri.StartsWith("http:", StringComparison.OrdinalIgnoreCase)).ToList();
        return insecure.Count == 0
            ? new(name, CheckOutcome.Pass, "Every redirect URI uses https or a native app's private-use scheme.")
            : new(name, CheckOutcome.Fail, $"Plain http: {string.Join(", ", insecure)}. Loopback http suits development only.");
    }

    private static SecurityCheck CheckNoWildcard(ApplicationSecurityFacts application)
    {
        var wildcards = application.RedirectUris.Where(uri => uri.Contains('*', StringComparison.Ordinal)).ToList();
        return wildcards.Count == 0
            ? new("No wildcard redirect URI", CheckOutcome.Pass, "Every redirect URI is matched exactly.")
            : new("No wildcard redirect URI", CheckOutcome.Fail, $"Wildcards: {string.Join(", ", wildcards)}.");
    }

    private static SecurityCheck CheckRefreshRotation(ApplicationSecurityFacts application, ServerSecurityFacts server)
    {
        const string name = "Refresh token rotation";
        if (!application.GrantTypes.Contains(GrantTypes.RefreshToken))
        {
            return new(name, CheckOutcome.NotApplicable, "The application is not allowed refresh tokens.");
        }

        if (!server.RollingRefreshTokens)
        {
            return new(name, CheckOutcome.Fail, "The server reuses refresh tokens: a stolen one stays valid until it expires.");
        }

        var leeway = server.RefreshTokenReuseLeeway ?? TimeSpan.Zero;
        return new(name, CheckOutcome.Pass, leeway == TimeSpan.Zero
            ? "Each refresh returns a new refresh token; reusing an old one ends the grant."
            : $"Each refresh returns a new refresh token; an old one may be reused for {leeway.TotalSeconds:0} s.");
    }

    private static SecurityCheck CheckSecretAge(ApplicationSecurityFacts application, DateTimeOffset now)
    {
        const string name = "Secret age";
        if (application.ClientType != ClientTypes.Confidential)
        {
            return new(name, CheckOutcome.NotApplicable, "A public client has no secret.");
        }

        if (application.SecretCreatedAt is not { } created)
        {
            return new(name, CheckOutcome.Fail, "The secret's age is unknown (set outside the portal): rotate it to start tracking it.");
        }

        var age = now - created;
        return age <= MaxSecretAge
            ? new(name, CheckOutcome.Pass, $"The secret is {Math.Max(0, (int)age.TotalDays)} days old (limit {MaxSecretAge.TotalDays:0}).")
            : new(name, CheckOutcome.Fail, $"The secret is {(int)age.TotalDays} days old, over the {MaxSecretAge.TotalDays:0}-day limit: rotate it.");
    }
}
