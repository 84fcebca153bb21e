using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Data;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Bench.Tool;

/// <summary>
/// The <c>grid</c> command: times the database work behind the first page of the admin portal's
/// token grid (newest tokens first, with their client, and the total for the pager) on a
/// product database. Prints the first run in this process (cold_ms, which includes EF Core's
/// translation of the query, as the first page after a server start would) and the medians of
/// further runs (page_ms, count_ms and their sum total_ms).
/// </summary>
/// <remarks>
/// NOTE: this is the query the grid is expected to send, written here while the portal is
/// built on another branch. Once the portal's token grid exists, time its own query (or its
/// HTTP response) in place of <see cref="QueryFirstPageAsync"/>.
/// </remarks>
internal static class TokenGridQuery
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var path = options.Required("db");
        var pageSize = options.Integer("page-size", 25);
        var runs = Math.Max(1, options.Integer("runs", 20));

        await using var db = BenchDatabase.Open(path);
        await db.Accounts.CountAsync();

        var first = await QueryFirstPageAsync(db, pageSize);
        var timings = new List<(double Page, double Count)>();
        for (var run = 0; run < runs; run++)
        {
            var (page, count, _) = await QueryFirstPageAsync(db, pageSize);
            timings.Add((page, count));
        }

        var plan = await ExplainAsync(db, FirstPage(db, pageSize).ToQueryString());
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            tokens = first.Total,
            cold_ms = Math.Round(first.Page + first.Count, 2),
            page_ms = Math.Round(Median(timings.Select(timing => timing.Page)), 2),
            count_ms = Math.Round(Median(timings.Select(timing => timing.Count)), 2),
            total_ms = Math.Round(Median(timings.Select(timing => timing.Page + timing.Count)), 2),
            plan,
        }));
        return 0;
    }

    private static IQueryable<TokenRow> FirstPage(BankDbContext db, int pageSize) =>
        db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            .OrderByDescending(token => token.CreationDate)
            .Take(pageSize)
            .Select(token => new TokenRow(
                token.Id!, token.Type, token.Status, token.Subject, token.CreationDate, token.ExpirationDate,
                token.Application!.ClientId, token.Application.DisplayName));

    private static async Task<(double Page, double Count, int Total)> QueryFirstPageAsync(
        BankDbContext db, int pageSize)
    {
        var stopwatch = Stopwatch.StartNew();
        var rows = await FirstPage(db, pageSize).ToListAsync();
        var page = stopwatch.Elapsed.TotalMilliseconds;
        if (rows.Count == 0)
        {
            throw new InvalidOperationException("The token grid's first page is empty: seed tokens first.");
        }

        stopwatch.Restart();
        var total = await db.Set<OpenIddictEntityFrameworkCoreToken>().CountAsync();
        return (page, stopwatch.Elapsed.TotalMilliseconds, total);
    }

    private static async Task<string> ExplainAsync(BankDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n',
            sql.Split('\n').Where(line => !line.StartsWith(".param", StringComparison.Ordinal)));
        // The page size is the query's only parameter; the plan does not depend on its value.
        foreach (var name in Regex.Matches(sql, "@[A-Za-z_0-9]+").Select(match => match.Value).Distinct())
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = 25;
            command.Parameters.Add(parameter);
        }

        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return string.Join("; ", steps);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed record TokenRow(
        string Id, string? Type, string? Status, string? Subject, DateTime? CreationDate, DateTime? ExpirationDate,
        string? ClientId, string? ClientName);
}
