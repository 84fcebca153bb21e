using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Admin.Tokens;
using OpenBanking.Web.Data;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Bench.Tool;

/// <summary>
/// The <c>grid</c> command: times the admin portal's own query for the first page of its token
/// grid (<see cref="TokenAdminService.QueryPageAsync"/>: the 25 newest tokens with client and
/// customer, and the total for the pager) on a product database. Prints the first call in this
/// process (cold_ms, which includes EF Core's translation of the queries, as the first page after
/// a server start would) and the median of further calls (total_ms).
/// </summary>
internal static class TokenGridQuery
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var path = options.Required("db");
        var pageSize = options.Integer("page-size", 25);
        var runs = Math.Max(1, options.Integer("runs", 20));
        var page = new PageRequest(0, pageSize, Descending: true);

        await using var db = BenchDatabase.Open(path);
        await db.Accounts.CountAsync();

        var (cold, total) = await QueryFirstPageAsync(db, page);
        var timings = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            timings.Add((await QueryFirstPageAsync(db, page)).Milliseconds);
        }

        var tokens = db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking();
        var plan = await ExplainAsync(db, TokenAdminService.SelectPage(db, tokens, page).ToQueryString());
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            tokens = total,
            cold_ms = Math.Round(cold, 2),
            total_ms = Math.Round(Median(timings), 2),
            plan,
        }));
        return 0;
    }

    private static async Task<(double Milliseconds, int Total)> QueryFirstPageAsync(BankDbContext db, PageRequest page)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await TokenAdminService.QueryPageAsync(db, new TokenFilter(), page, DateTime.UtcNow, CancellationToken.None);
        var elapsed = stopwatch.Elapsed.TotalMilliseconds;
        if (result.Items.Count == 0)
        {
            throw new InvalidOperationException("The token grid's first page is empty: seed tokens first.");
        }

        return (elapsed, result.TotalItems);
    }

    private static async Task<string> ExplainAsync(BankDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n',
            sql.Split('\n').Where(line => !line.StartsWith(".param", StringComparison.Ordinal)));
        // The parameters are the page's offset and size, and the plan does not depend on their values.
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
}
