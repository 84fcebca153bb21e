using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenBanking.Web.Security;

namespace OpenBanking.Tests.Security;

/// <summary>OpenIddict's log level: configured levels stay, but never below Debug.</summary>
public sealed class SecretSafeLoggingTests
{
    [Theory]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("Trace", LogLevel.Debug)]
    public void OpenIddictLevel_KeepsConfiguredLevelAboveTrace(string configured, LogLevel lowestEnabled)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:OpenIddict"] = configured,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging"))
            .AddProvider(new EnabledLoggerProvider()));
        services.AddSecretSafeLogging();
        using var provider = services.BuildServiceProvider();

        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("OpenIddict.Server.OpenIddictServerDispatcher");

        Assert.True(logger.IsEnabled(lowestEnabled));
        Assert.False(logger.IsEnabled(lowestEnabled - 1));
    }

    private sealed class EnabledLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new EnabledLogger();

        public void Dispose()
        {
        }

        private sealed class EnabledLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
