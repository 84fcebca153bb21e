using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Captures every log entry, at every level and from every category, while a client walks the
/// whole flow (including failures and replays), and searches it for each secret value involved.
/// </summary>
public sealed class LogRedactionTests(LogRedactionTests.Factory factory) : IClassFixture<LogRedactionTests.Factory>
{
    [Fact]
    public async Task Walkthrough_WritesNoSecretToAnyLog()
    {
        var flow = new OAuthFlow(factory);
        _ = flow.Browser.BaseAddress;
        await flow.Browser.GetAsync("/");
        factory.Logs.Clear();
        var secrets = new List<string> { OAuthFlow.CustomerPassword, OAuthFlow.DemoClientSecret, "wrong-secret-7f3a9c" };

        var pkce = Pkce.Create();
        secrets.Add(pkce.Verifier);
        var code = await flow.GetCodeAsync(pkce);
        secrets.Add(code);
        var tokens = await TokenSet.ReadAsync(await flow.ExchangeCodeAsync(code, pkce.Verifier));
        secrets.AddRange([tokens.AccessToken, tokens.RefreshToken!]);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.TransferAsync(tokens.AccessToken, """{"amount": 10}""")).StatusCode);
        var refreshed = await TokenSet.ReadAsync(await flow.RefreshAsync(tokens.RefreshToken!));
        secrets.AddRange([refreshed.AccessToken, refreshed.RefreshToken!]);
        await flow.App.PostFormAsync("/o/introspect/", new Dictionary<string, string?>
        {
            ["token"] = refreshed.AccessToken,
            ["client_id"] = OAuthFlow.DemoClientId,
            ["client_secret"] = OAuthFlow.DemoClientSecret,
        });
        await flow.RefreshAsync(refreshed.RefreshToken!, clientSecret: "wrong-secret-7f3a9c");
        await flow.ExchangeCodeAsync(code, pkce.Verifier);
        await flow.RevokeAsync(refreshed.AccessToken);
        await flow.GetBalanceAsync(refreshed.AccessToken);

        var entries = factory.Logs.ToArray();
        Assert.NotEmpty(entries);
        foreach (var secret in secrets)
        {
            var leaks = entries.Where(entry => entry.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"A secret of {secret.Length} characters appears in {leaks.Count} log entries, "
                + $"the first: {leaks.FirstOrDefault()?.Replace(secret, "[SECRET]", StringComparison.Ordinal)}");
        }
    }

    /// <summary>The host with every log category at Trace, written to <see cref="Logs"/>.</summary>
    public sealed class Factory : OpenBankingFactory
    {
        public ConcurrentQueue<string> Logs { get; } = new();

        // Configured levels are more specific than a minimum level, so each one is raised here.
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
            ["Logging:LogLevel:OpenIddict"] = "Trace",
            ["Logging:LogLevel:System"] = "Trace",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.Services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Logs));
            });
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, logs);

        public void Dispose()
        {
        }
    }

    // Keeps the formatted message, the exception and every structured property, since a
    // structured log sink writes the properties even when the message template omits them.
    private sealed class CapturingLogger(string category, ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            logs.Enqueue($"{logLevel} {category} {formatter(state, exception)} {properties} {exception}");
        }
    }
}
