using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpenBanking.Web.Hosting;

public static partial class StartupLog
{
    /// <summary>Logs the addresses the server listens on once it has started, and its stop.</summary>
    public static void LogListeningAddresses(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenBanking.Web");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            var listening = string.Join(", ", addresses ?? []);
            LogStarted(logger, app.Environment.EnvironmentName, listening);
        });
        app.Lifetime.ApplicationStopping.Register(() => LogStopping(logger));
    }

    /// <summary>
    /// Runs the validation of every settings section registered with ValidateOnStart, and logs
    /// each failure in one line. Returns false when any setting is invalid.
    /// </summary>
    public static bool ValidateSettings(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
            return true;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException exception)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenBanking.Web");
            foreach (var failure in exception.Failures)
            {
                LogInvalidSetting(logger, exception.OptionsType.Name, failure);
            }

            return false;
        }
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical,
        Message = "Invalid configuration in {Settings}: {Failure} The host did not start; fix the value and start it again.")]
    private static partial void LogInvalidSetting(ILogger logger, string settings, string failure);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "OpenBanking ({Environment}) is serving {Addresses}")]
    private static partial void LogStarted(ILogger logger, string environment, string addresses);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "OpenBanking is stopping")]
    private static partial void LogStopping(ILogger logger);
}
