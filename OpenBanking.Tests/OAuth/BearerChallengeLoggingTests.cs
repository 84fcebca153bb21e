using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.OAuth.Performance;

namespace OpenBanking.Tests.OAuth;

/// <summary>
/// The bank API's bearer handler logs at Warning by default, so a 401 writes no line, and a
/// setting for its category overrides that.
/// </summary>
public sealed class BearerChallengeLoggingTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private static readonly string Category = typeof(BankApiBearerHandler).FullName!;

    [Fact]
    public void BearerHandlerLog_DefaultsToWarning()
    {
        var logger = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void BearerHandlerLog_FollowsCategorySetting()
    {
        using var configured = new VerboseBearerLogFactory();
        var logger = configured.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);

        Assert.True(logger.IsEnabled(LogLevel.Information));
        Assert.False(logger.IsEnabled(LogLevel.Debug));
    }

    private sealed class VerboseBearerLogFactory : OpenBankingFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            [$"Logging:LogLevel:{Category}"] = "Information",
        };
    }
}
