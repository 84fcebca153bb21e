namespace OpenBanking.Tests.Infrastructure;

/// <summary>
/// A test that drives Debian's Chromium. Without the browser it is skipped on a developer
/// machine, but fails in CI (environment variable CI set), where a missing browser is a broken
/// install and not a reason to pass.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(BrowserSession.ChromiumPath) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"Chromium not found at {BrowserSession.ChromiumPath}. Install it with: sudo apt-get install -y chromium";
        }
    }
}
