using Microsoft.Extensions.Configuration.Json;

namespace OpenBanking.Web.Hosting;

public static class DevelopmentSettings
{
    public const string FileName = "appsettings.Development.json";

    /// <summary>
    /// In Development, loads appsettings.Development.json from the repository root (the folder
    /// of OpenBanking.sln) where newcomers look for it. It takes the place of the per-project
    /// file, right after appsettings.json, so user secrets, environment variables and the
    /// command line still override it.
    /// </summary>
    public static void AddRepositoryDevelopmentSettings(this ConfigurationManager configuration, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment() || FindRepositoryRoot(environment.ContentRootPath) is not { } root)
        {
            return;
        }

        var source = new JsonConfigurationSource
        {
            Path = Path.Combine(root, FileName),
            Optional = false,
            ReloadOnChange = true,
        };
        source.ResolveFileProvider();

        var sources = (IList<IConfigurationSource>)configuration.Sources;
        var appSettings = sources.Select((item, index) => (item, index))
            .LastOrDefault(pair => pair.item is JsonConfigurationSource json && json.Path == "appsettings.json");
        sources.Insert(appSettings.item is null ? 0 : appSettings.index + 1, source);
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OpenBanking.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
