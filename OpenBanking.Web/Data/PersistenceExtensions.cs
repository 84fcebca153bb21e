using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpenBanking.Web.Data;

public static partial class PersistenceExtensions
{
    public const string ConnectionStringName = "OpenBanking";

    /// <summary>
    /// Registers <see cref="BankDbContext"/> on the SQLite file named by the connection string
    /// <c>ConnectionStrings:OpenBanking</c>. A relative file path is resolved against the content root.
    /// </summary>
    public static IServiceCollection AddPersistence(
        this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = ResolveConnectionString(configuration, environment);
        services.AddSingleton(new BankDatabase(connectionString));
        // Interceptors registered by other features (as IInterceptor singletons) join SQLite's
        // connection settings.
        services.AddSingleton<IInterceptor>(SqliteConnectionSettings.Instance);
        services.AddPooledDbContextFactory<BankDbContext>((provider, options) =>
        {
            options.UseSqlite(connectionString);
            options.AddInterceptors(provider.GetServices<IInterceptor>());
            options.UseOpenIddict();
        });

        // Requests share one context per scope; Blazor circuits, which live for minutes, take
        // short-lived contexts from the factory instead.
        services.AddScoped(provider => OpenForRequest(
            provider.GetRequiredService<IDbContextFactory<BankDbContext>>().CreateDbContext()));

        return services;
    }

    /// <summary>
    /// Applies pending migrations and switches the database to write-ahead logging, so readers
    /// never wait for a writer. Runs once at start-up, before the host serves requests. The
    /// per-connection pragmas, and why commits sync the disk only for transfers, are in
    /// <see cref="SqliteConnectionSettings"/>.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BankDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<BankDbContext>>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();

        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        var dataSource = db.Database.GetDbConnection().DataSource;
        LogMigrated(logger, dataSource, pending.Count);
    }

    // A request's queries share one connection, opened when the request first needs the context
    // and closed when the pooled context is returned. Opening per query took the connection
    // pool's lock twice per query, which contended under load. Opening takes a pooled native
    // connection, so it does no I/O except for the first connections of the process.
    private static BankDbContext OpenForRequest(BankDbContext db)
    {
        db.Database.OpenConnection();
        return db;
    }

    private static string ResolveConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"Connection string '{ConnectionStringName}' is missing. Set ConnectionStrings:{ConnectionStringName}, "
                + "for example to \"Data Source=openbanking.db\".");
        }

        var builder = new SqliteConnectionStringBuilder(configured);
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(environment.ContentRootPath, builder.DataSource));
        }

        var directory = Path.GetDirectoryName(builder.DataSource);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Database {DataSource} is up to date ({MigrationCount} pending migrations applied at start-up)")]
    private static partial void LogMigrated(ILogger logger, string dataSource, int migrationCount);
}

/// <summary>The resolved connection string of the product's database, for code that reads it without EF Core.</summary>
public sealed record BankDatabase(string ConnectionString);
