namespace OpenBanking.Web.Seeding;

/// <summary>
/// Development fixtures, bound from the <c>Seed</c> section of the root appsettings.Development.json.
/// Outside Development nothing is seeded, whatever this section holds.
/// </summary>
public sealed class SeedSettings
{
    public const string SectionName = "Seed";

    public string AdminEmail { get; set; } = "admin@bank.test";

    public string AdminPassword { get; set; } = string.Empty;

    public string CustomerEmail { get; set; } = "alice@bank.test";

    public string CustomerPassword { get; set; } = string.Empty;

    public decimal CustomerOpeningBalance { get; set; } = 100_000m;

    public string DemoClientId { get; set; } = "ref-web-client";

    public string DemoClientSecret { get; set; } = string.Empty;

    public string[] DemoRedirectUris { get; set; } = [];

    public string LoadTestClientId { get; set; } = "ref-cc-client";

    public string LoadTestClientSecret { get; set; } = string.Empty;
}
