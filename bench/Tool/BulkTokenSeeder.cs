using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Bench.Tool;

/// <summary>
/// The <c>seed-tokens</c> command: inserts a history of stored tokens, shaped like months of
/// traffic, so that the benchmark can show how the hot paths behave as history grows. One in
/// five tokens is a client-credentials access token; the rest come in grants of four (code,
/// access token, refresh token, access token) under an ad-hoc authorization. Nearly all of
/// them are expired, redeemed or revoked, as old tokens are.
/// </summary>
/// <remarks>
/// Rows go straight into SQLite through one prepared statement per table, because EF Core's
/// change tracker needs minutes for a million rows. Table and column names come from the
/// product's EF Core model, so the rows match the schema the product reads.
/// </remarks>
internal static class BulkTokenSeeder
{
    private const int CustomerCount = 1_000;

    private static readonly TimeSpan History = TimeSpan.FromDays(30);

    public static async Task<int> RunAsync(CommandLine options)
    {
        var count = options.Integer("count", 1_000);
        await using var db = BenchDatabase.Open(options.Required("db"));
        var stopwatch = Stopwatch.StartNew();

        var applications = await db.Set<OpenIddictEntityFrameworkCoreApplication>()
            .ToDictionaryAsync(application => application.ClientId!, application => application.Id);
        var webClient = applications.GetValueOrDefault("ref-web-client")
            ?? throw new ArgumentException("The database has no ref-web-client application: seed it in Development first.");
        var machineClient = applications.GetValueOrDefault("ref-cc-client")
            ?? throw new ArgumentException("The database has no ref-cc-client application: seed it in Development first.");

        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            // Setup data only: a crash while seeding leaves a database the run discards anyway.
            pragma.CommandText = "PRAGMA synchronous=OFF;";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var tokens = PrepareInsert(connection, transaction, db.Model.FindEntityType(typeof(OpenIddictEntityFrameworkCoreToken))!);
        var authorizations = PrepareInsert(
            connection, transaction, db.Model.FindEntityType(typeof(OpenIddictEntityFrameworkCoreAuthorization))!);

        var now = DateTime.UtcNow;
        var random = new Random(20_261_204);
        string? authorizationId = null;
        string subject = string.Empty;
        for (var index = 0; index < count; index++)
        {
            // Creation dates rise with the index, from 30 days ago up to a minute ago.
            var created = now - History + (History - TimeSpan.FromMinutes(1)) * ((double)index / Math.Max(1, count));
            if (random.Next(5) == 0)
            {
                InsertToken(tokens, machineClient, null, "ref-cc-client", TokenTypeIdentifiers.AccessToken,
                    created, created.AddHours(1), Statuses.Valid, random);
                continue;
            }

            var position = index % 4;
            if (position == 0 || authorizationId is null)
            {
                authorizationId = Guid.NewGuid().ToString();
                subject = $"seed-customer-{random.Next(CustomerCount):D4}";
                InsertAuthorization(authorizations, authorizationId, webClient, subject, created,
                    random.Next(10) == 0 ? Statuses.Revoked : Statuses.Valid);
            }

            var (type, lifetime, status) = position switch
            {
                0 => (TokenTypeIdentifiers.Private.AuthorizationCode, TimeSpan.FromMinutes(1), Statuses.Redeemed),
                2 => (TokenTypeIdentifiers.RefreshToken, TimeSpan.FromDays(1), Statuses.Redeemed),
                _ => (TokenTypeIdentifiers.AccessToken, TimeSpan.FromHours(1), Statuses.Valid),
            };
            InsertToken(tokens, webClient, authorizationId, subject, type, created, created + lifetime, status, random);
        }

        await transaction.CommitAsync();
        Console.WriteLine(JsonSerializer.Serialize(new { tokens = count, seconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1) }));
        return 0;
    }

    private static SqliteCommand PrepareInsert(SqliteConnection connection, SqliteTransaction transaction, IEntityType entity)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().ToList();
        var columns = properties.Select(property => property.GetColumnName(table)!).ToList();

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"{table.Name}\" ({string.Join(", ", columns.Select(column => $"\"{column}\""))}) "
            + $"VALUES ({string.Join(", ", properties.Select(property => "$" + property.Name))});";
        foreach (var property in properties)
        {
            command.Parameters.Add(new SqliteParameter("$" + property.Name, DBNull.Value));
        }

        command.Prepare();
        return command;
    }

    private static void InsertToken(SqliteCommand command, string applicationId, string? authorizationId, string subject,
        string type, DateTime created, DateTime expires, string status, Random random)
    {
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.Id), Guid.NewGuid().ToString());
        Set(command, "Application", applicationId, "ApplicationId");
        Set(command, "Authorization", authorizationId, "AuthorizationId");
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.ConcurrencyToken), Guid.NewGuid().ToString());
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.CreationDate), created);
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.ExpirationDate), expires);
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.RedemptionDate),
            status == Statuses.Redeemed ? created.AddSeconds(random.Next(1, 60)) : null);
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.Status), status);
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.Subject), subject);
        Set(command, nameof(OpenIddictEntityFrameworkCoreToken.Type), type);
        command.ExecuteNonQuery();
    }

    private static void InsertAuthorization(
        SqliteCommand command, string id, string applicationId, string subject, DateTime created, string status)
    {
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.Id), id);
        Set(command, "Application", applicationId, "ApplicationId");
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.ConcurrencyToken), Guid.NewGuid().ToString());
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.CreationDate), created);
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.Scopes), "[\"read\",\"write\",\"payments\"]");
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.Status), status);
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.Subject), subject);
        Set(command, nameof(OpenIddictEntityFrameworkCoreAuthorization.Type), AuthorizationTypes.AdHoc);
        command.ExecuteNonQuery();
    }

    // Foreign keys are shadow properties named after the navigation ("ApplicationId"); the
    // alternative name covers a model that names them differently.
    private static void Set(SqliteCommand command, string property, object? value, string? alternative = null)
    {
        var name = command.Parameters.Contains("$" + property) ? "$" + property : "$" + alternative;
        command.Parameters[name].Value = value ?? DBNull.Value;
    }
}
