namespace OpenBanking.Bench.Tool;

/// <summary>Options of the form <c>--name value</c>.</summary>
internal sealed class CommandLine(Dictionary<string, string> values)
{
    public const string Usage = """
        usage: OpenBanking.Bench.Tool COMMAND [--option value ...]
          tokens       --url URL --out DIR [--access N] [--refresh N]
                       runs N authorization code flows for the Development customer and writes
                       access_tokens.txt, refresh_tokens.txt and balance.json to DIR
          peer-tokens  --url URL --out DIR [--access N] [--refresh N]
                       the same against the django-oauth-toolkit peer
          seed-tokens  --db FILE --count N
                       inserts N stored tokens (and their authorizations) into a product database
          grid         --db FILE [--page-size N] [--runs N]
                       times the token grid's first page query on a product database
          report       --results FILE --out FILE --commit C --date D --machine M --sdk S --wrk W
                       writes the Markdown page of one run
        """;

    public static CommandLine Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var index = 0; index < args.Length; index += 2)
        {
            if (!args[index].StartsWith("--", StringComparison.Ordinal) || index + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, found '{args[index]}'.\n{Usage}");
            }

            values[args[index][2..]] = args[index + 1];
        }

        return new CommandLine(values);
    }

    public static async Task<int> UnknownAsync(string command)
    {
        await Console.Error.WriteLineAsync($"error: unknown command '{command}'.\n{Usage}");
        return 2;
    }

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"Missing option --{name}.");

    public int Integer(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"Option --{name} must be a non-negative integer, found '{text}'.");
    }
}
