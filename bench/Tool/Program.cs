// Helper commands of the benchmark script (bench/run.sh). Each prints one line of JSON on
// standard output for the script to read; progress goes to standard error.
using OpenBanking.Bench.Tool;

if (args.Length == 0)
{
    await Console.Error.WriteLineAsync(CommandLine.Usage);
    return 2;
}

var options = CommandLine.Parse(args[1..]);
try
{
    return args[0] switch
    {
        "tokens" => await ProductTokens.RunAsync(options),
        "peer-tokens" => await PeerTokens.RunAsync(options),
        "seed-tokens" => await BulkTokenSeeder.RunAsync(options),
        "grid" => await TokenGridQuery.RunAsync(options),
        "report" => await BenchmarkReport.RunAsync(options),
        _ => await CommandLine.UnknownAsync(args[0]),
    };
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync($"error: {exception.Message}");
    return 2;
}
