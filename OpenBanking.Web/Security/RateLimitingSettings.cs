using System.ComponentModel.DataAnnotations;

namespace OpenBanking.Web.Security;

/// <summary>
/// Request rate limits per client IP address, bound from the <c>RateLimiting</c> section. Each
/// limit is a fixed window: at most <see cref="RateLimit.PermitLimit"/> requests in
/// <see cref="RateLimit.WindowSeconds"/>. A request over the limit gets 429 with Retry-After.
/// </summary>
public sealed class RateLimitingSettings
{
    public const string SectionName = "RateLimiting";

    /// <summary>Whether the limits apply at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Password submissions to /Identity/Account/Login. Lockout protects each account on top of this.</summary>
    [Required]
    public RateLimit Login { get; set; } = new() { PermitLimit = 60, WindowSeconds = 60 };

    /// <summary>The authorization and pushed authorization endpoints, /o/authorize/ and /o/par/.</summary>
    [Required]
    public RateLimit Authorize { get; set; } = new() { PermitLimit = 300, WindowSeconds = 60 };

    /// <summary>The token, revocation and introspection endpoints.</summary>
    [Required]
    public RateLimit Token { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };
}

public sealed class RateLimit
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; }

    [Range(1, 3600)]
    public int WindowSeconds { get; set; }
}
