using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenBanking.Bench.Tool;

/// <summary>
/// The <c>report</c> command: turns the results.jsonl of one bench/run.sh run into the Markdown
/// page docs/benchmarks.md, with every figure also given as a ratio to the floor and to the
/// old stack measured in the same run.
/// </summary>
internal static class BenchmarkReport
{
    private const double TargetShareOfFloor = 0.20;
    private const double TargetTimesOldStack = 10;
    private const double TargetTokensPerSecond = 2_000;
    private const double TargetP99Milliseconds = 20;
    private const double TargetPeakRssMegabytes = 250;
    private const double TargetGridMilliseconds = 100;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly (string Scenario, string Title)[] Scenarios =
    [
        ("balance", "`GET /api/balance/` with a bearer token"),
        ("balance_no_token", "`GET /api/balance/` without a token (401)"),
        ("client_credentials", "`POST /o/token/` client_credentials"),
        ("refresh_token", "`POST /o/token/` refresh_token"),
    ];

    public static async Task<int> RunAsync(CommandLine options)
    {
        var lines = await File.ReadAllLinesAsync(options.Required("results"));
        var results = lines.Where(line => line.Length > 0).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var page = new StringBuilder();
        WriteHeader(page, options);
        WriteMainTable(page, results);
        WriteTargets(page, results);
        WriteGrowthTable(page, results);
        var output = Path.GetFullPath(options.Required("out"));
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, page.ToString());
        return 0;
    }

    private static void WriteHeader(StringBuilder page, CommandLine options)
    {
        page.AppendLine("# Benchmarks").AppendLine();
        page.AppendLine("Written by `bench/run.sh`; bench/README.md describes the method, what each figure covers and");
        page.AppendLine("where the time goes. Load generator and servers share the machine's cores, so the figures");
        page.AppendLine("compare servers measured in the same run; they are not capacity figures for other hardware.");
        page.AppendLine();
        page.AppendLine("| | |").AppendLine("| --- | --- |");
        page.AppendLine(CultureInfo.InvariantCulture, $"| commit | {options.Required("commit")} |");
        page.AppendLine(CultureInfo.InvariantCulture, $"| date | {options.Required("date")} |");
        page.AppendLine(CultureInfo.InvariantCulture, $"| machine | {options.Required("machine")} |");
        page.AppendLine(CultureInfo.InvariantCulture, $"| .NET SDK | {options.Required("sdk")} |");
        page.AppendLine(CultureInfo.InvariantCulture, $"| load | {options.Required("wrk")}, on the same machine |");
        page.AppendLine();
    }

    private static void WriteMainTable(StringBuilder page, List<JsonElement> results)
    {
        page.AppendLine("## Product, floor and old stack").AppendLine();
        page.AppendLine("Floor: a bare Kestrel host returning the same balance body with no authentication. Old stack:");
        page.AppendLine("Django 3.2, Django REST Framework and django-oauth-toolkit 1.7 under gunicorn (sync workers).");
        page.AppendLine();
        page.AppendLine("| request | server | req/s | × floor | × old stack | p50 ms | p99 ms | errors | peak RSS MiB |");
        page.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var floor = Find(results, "floor", "balance");
        var failedPeerRows = new List<string>();
        foreach (var (scenario, title) in Scenarios)
        {
            var peer = Find(results, "peer", scenario);
            if (peer is { } failed && IsMostlyErrors(failed))
            {
                // A throughput made mostly of error responses is no baseline, so no ratio is printed.
                failedPeerRows.Add(title);
                peer = null;
            }

            foreach (var (group, server) in new[] { ("product", "product"), ("peer", "old stack") })
            {
                if (Find(results, group, scenario) is { } result)
                {
                    page.AppendLine(Row(title, server, result, floor, group == "product" ? peer : null));
                }
            }

            if (scenario == "balance" && floor is { } floorResult)
            {
                page.AppendLine(Row(title.Replace(" with a bearer token", string.Empty, StringComparison.Ordinal),
                    "floor", floorResult, floorResult, null));
            }
        }

        if (Find(results, "product", "process_peak") is { } peak)
        {
            page.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Peak resident memory of the product over the whole run (VmHWM): {Megabytes(peak):0} MiB.");
        }

        foreach (var title in failedPeerRows)
        {
            page.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"The old stack answered most {title} requests with an error, so that row has no ratio to it.");
        }

        page.AppendLine();
    }

    private static void WriteTargets(StringBuilder page, List<JsonElement> results)
    {
        page.AppendLine("## Targets").AppendLine();
        page.AppendLine("| target | measured | met |").AppendLine("| --- | --- | --- |");
        var balance = Find(results, "product", "balance");
        var floor = Find(results, "floor", "balance");
        var peer = Find(results, "peer", "balance");
        if (balance is { } product && floor is { } bare)
        {
            var share = Rps(product) / Rps(bare);
            page.AppendLine(Target($"bearer balance read ≥ {TargetShareOfFloor:P0} of the floor", $"{share:P1}", share >= TargetShareOfFloor));
        }

        if (balance is { } read && peer is { } old)
        {
            var times = Rps(read) / Rps(old);
            page.AppendLine(Target($"bearer balance read ≥ {TargetTimesOldStack:0}× the old stack", $"{times:0.0}×", times >= TargetTimesOldStack));
        }

        foreach (var scenario in new[] { "client_credentials", "refresh_token" })
        {
            if (Find(results, "product", scenario) is { } token)
            {
                page.AppendLine(Target($"{scenario} ≥ {TargetTokensPerSecond:0} tokens/s", $"{Rps(token):0}/s", Rps(token) >= TargetTokensPerSecond));
            }
        }

        foreach (var (scenario, _) in Scenarios.Where(item => item.Scenario != "balance_no_token"))
        {
            if (Find(results, "product", scenario) is { } result)
            {
                var p99 = result.GetProperty("p99_ms").GetDouble();
                page.AppendLine(Target($"{scenario} p99 < {TargetP99Milliseconds:0} ms at {result.GetProperty("connections").GetInt32()} connections",
                    $"{p99:0.0} ms", p99 < TargetP99Milliseconds));
            }
        }

        if (Find(results, "product", "process_peak") is { } peak)
        {
            page.AppendLine(Target($"peak RSS < {TargetPeakRssMegabytes:0} MB", $"{Megabytes(peak) * 1.048576:0} MB", Megabytes(peak) * 1.048576 < TargetPeakRssMegabytes));
        }

        var grid = results.Where(result => result.GetProperty("scenario").GetString() == "grid")
            .Select(result => result.GetProperty("result"))
            .OrderByDescending(result => result.GetProperty("tokens").GetInt32())
            .FirstOrDefault();
        if (grid.ValueKind == JsonValueKind.Object)
        {
            var total = grid.GetProperty("total_ms").GetDouble();
            var cold = grid.GetProperty("cold_ms").GetDouble();
            page.AppendLine(Target($"token grid first page < {TargetGridMilliseconds:0} ms with {grid.GetProperty("tokens").GetInt32():N0} tokens (database queries only)",
                $"{total:0.0} ms ({cold:0} ms for the first one after start)", total < TargetGridMilliseconds));
        }

        page.AppendLine();
    }

    private static void WriteGrowthTable(StringBuilder page, List<JsonElement> results)
    {
        var groups = results.Select(result => result.GetProperty("group").GetString()!)
            .Where(group => group.StartsWith("growth-", StringComparison.Ordinal)).Distinct().ToList();
        if (groups.Count == 0)
        {
            return;
        }

        page.AppendLine("## Growth: the same requests with more tokens stored").AppendLine();
        page.AppendLine("Each row starts from a fresh database seeded with that many token rows (plus their");
        page.AppendLine("authorizations) by `OpenBanking.Bench.Tool seed-tokens`; the token measurements add their own");
        page.AppendLine("rows while they run. Grid: the time of the admin portal's query for the first page of its");
        page.AppendLine("token grid (25 newest tokens with client and customer, and the total count). The median of 20");
        page.AppendLine("runs is shown beside the first run after start, which includes EF Core's query translation.");
        page.AppendLine();
        page.AppendLine("| tokens stored | seeding s | balance req/s | balance p99 ms | client_credentials req/s | p99 ms | refresh_token req/s | p99 ms | grid page ms | grid first after start ms |");
        page.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in groups.OrderBy(group => long.Parse(group["growth-".Length..], Invariant)))
        {
            var seed = Find(results, group, "seed")?.GetProperty("result");
            var grid = Find(results, group, "grid")?.GetProperty("result");
            var cells = new List<string>
            {
                long.Parse(group["growth-".Length..], Invariant).ToString("N0", Invariant),
                seed?.GetProperty("seconds").GetDouble().ToString("0.0", Invariant) ?? "–",
            };
            foreach (var scenario in new[] { "balance", "client_credentials", "refresh_token" })
            {
                var result = Find(results, group, scenario);
                cells.Add(result is { } value ? Rps(value).ToString("N0", Invariant) : "–");
                cells.Add(result is { } timed ? timed.GetProperty("p99_ms").GetDouble().ToString("0.0", Invariant) : "–");
            }

            cells.Add(grid?.GetProperty("total_ms").GetDouble().ToString("0.00", Invariant) ?? "–");
            cells.Add(grid?.GetProperty("cold_ms").GetDouble().ToString("0", Invariant) ?? "–");
            page.AppendLine("| " + string.Join(" | ", cells) + " |");
        }

        if (groups.Select(group => Find(results, group, "grid")).LastOrDefault() is { } last)
        {
            page.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Query plan of the grid's page query: `{last.GetProperty("result").GetProperty("plan").GetString()}`.");
        }

        page.AppendLine();
    }

    private static string Row(string title, string server, JsonElement result, JsonElement? floor, JsonElement? peer)
    {
        // A request sent with an empty refresh token pool also gets an error status, so pool_empty
        // is already part of unexpected_status.
        var errors = Errors(result);
        var toFloor = floor is { } bare && Rps(bare) > 0 ? (Rps(result) / Rps(bare)).ToString("P1", Invariant) : "–";
        var toPeer = peer is { } old && Rps(old) > 0 ? (Rps(result) / Rps(old)).ToString("0.0", Invariant) + "×" : "–";
        return string.Create(Invariant,
            $"| {title} | {server} | {Rps(result):N0} | {toFloor} | {toPeer} | {result.GetProperty("p50_ms").GetDouble():0.00} | "
            + $"{result.GetProperty("p99_ms").GetDouble():0.00} | {errors:N0} of {result.GetProperty("requests").GetInt64():N0} | {Megabytes(result):0} |");
    }

    private static long Errors(JsonElement result) =>
        result.GetProperty("socket_errors").GetInt64() + result.GetProperty("timeouts").GetInt64()
            + result.GetProperty("unexpected_status").GetInt64();

    private static bool IsMostlyErrors(JsonElement result) => Errors(result) * 2 > result.GetProperty("requests").GetInt64();

    private static string Target(FormattableString target, FormattableString measured, bool met) =>
        $"| {target.ToString(Invariant)} | {measured.ToString(Invariant)} | {(met ? "yes" : "**no**")} |";

    private static string Target(FormattableString target, string measured, bool met) =>
        $"| {target.ToString(Invariant)} | {measured} | {(met ? "yes" : "**no**")} |";

    private static JsonElement? Find(List<JsonElement> results, string group, string scenario) =>
        results.Where(result => result.GetProperty("group").GetString() == group
                && result.GetProperty("scenario").GetString() == scenario)
            .Select(result => (JsonElement?)result)
            .LastOrDefault();

    private static double Rps(JsonElement result) => result.GetProperty("rps").GetDouble();

    private static double Megabytes(JsonElement result) => result.GetProperty("peak_rss_kb").GetDouble() / 1024;
}
