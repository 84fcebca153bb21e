using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Seeding;

/// <summary>
/// Fills the OpenIddict token table with synthetic rows for tests and benchmarks of the portal's
/// token grid. The rows are metadata only: they carry no payload, so no client can present them.
/// </summary>
public static class TokenSeeder
{
    /// <summary>
    /// Inserts <paramref name="count"/> tokens of the application <paramref name="applicationId"/>
    /// for <paramref name="subject"/> in one transaction with one prepared statement. Types and
    /// statuses rotate (access, refresh, authorization code; valid, redeemed, revoked, expired),
    /// and creation dates spread over the 30 days before <paramref name="now"/>. Returns the
    /// number of rows inserted.
    /// </summary>
    public static async Task<int> SeedAsync(
        BankDbContext db, string applicationId, string subject, int count, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO OpenIddictTokens (Id, ApplicationId, ConcurrencyToken, CreationDate, ExpirationDate, RedemptionDate, Status, Subject, Type)
                VALUES ($id, $application, $stamp, $created, $expires, $redeemed, $status, $subject, $type)
                """;
            var parameters = AddParameters(command, "$id", "$application", "$stamp", "$created", "$expires", "$redeemed", "$status", "$subject", "$type");
            parameters["$application"].Value = applicationId;
            parameters["$subject"].Value = subject;
            await command.PrepareAsync(cancellationToken);

            var start = now.UtcDateTime.AddDays(-30);
            var step = TimeSpan.FromDays(30).Ticks / Math.Max(count, 1);
            for (var index = 0; index < count; index++)
            {
                var created = start.AddTicks(step * index);
                var (type, status, lifetime) = Shape(index);
                parameters["$id"].Value = Guid.NewGuid().ToString();
                parameters["$stamp"].Value = Guid.NewGuid().ToString();
                parameters["$created"].Value = created;
                parameters["$expires"].Value = status == "expired" ? now.UtcDateTime.AddMinutes(-1) : created + lifetime;
                parameters["$redeemed"].Value = status == Statuses.Redeemed ? created.AddSeconds(5) : DBNull.Value;
                parameters["$status"].Value = status == "expired" ? Statuses.Valid : status;
                parameters["$type"].Value = type;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return count;
    }

    private static (string Type, string Status, TimeSpan Lifetime) Shape(int index)
    {
        var type = (index % 3) switch
        {
            0 => TokenKinds.AccessToken,
            1 => TokenKinds.RefreshToken,
            _ => TokenKinds.AuthorizationCode,
        };
        var status = (index % 4) switch
        {
            0 => Statuses.Valid,
            1 => Statuses.Redeemed,
            2 => Statuses.Revoked,
            _ => "expired",
        };
        // Longer than the 30-day spread, so a row seeded as valid is still unexpired at "now".
        var lifetime = TimeSpan.FromDays(31);

        return (type, status, lifetime);
    }

    private static Dictionary<string, DbParameter> AddParameters(DbCommand command, params string[] names)
    {
        var parameters = new Dictionary<string, DbParameter>();
        foreach (var name in names)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
            parameters[name] = parameter;
        }

        return parameters;
    }
}
