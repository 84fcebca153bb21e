using System.Net;
using System.Text.RegularExpressions;

namespace OpenBanking.Bench.Tool;

/// <summary>Reads the named inputs of an HTML form, enough to submit it as a browser would.</summary>
internal static partial class HtmlInputs
{
    /// <summary>Returns name and value of each input except submit buttons and unchecked boxes.</summary>
    public static List<KeyValuePair<string, string>> Read(string html)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputTag().Matches(html))
        {
            var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (Match attribute in Attribute().Matches(input.Value))
            {
                attributes[attribute.Groups["name"].Value] = WebUtility.HtmlDecode(attribute.Groups["value"].Value);
            }

            var type = attributes.GetValueOrDefault("type", "text").ToLowerInvariant();
            var isUnchecked = type is "checkbox" or "radio" && !attributes.ContainsKey("checked");
            if (!attributes.TryGetValue("name", out var name) || type == "submit" || isUnchecked)
            {
                continue;
            }

            fields.Add(KeyValuePair.Create(name, attributes.GetValueOrDefault("value", type == "checkbox" ? "on" : string.Empty)));
        }

        return fields;
    }

    /// <summary>Returns the inputs of the form with id <paramref name="formId"/>, as <see cref="Read"/> does.</summary>
    public static List<KeyValuePair<string, string>> ReadForm(string html, string formId)
    {
        var start = html.IndexOf($"id=\"{formId}\"", StringComparison.Ordinal);
        var end = start < 0 ? -1 : html.IndexOf("</form>", start, StringComparison.OrdinalIgnoreCase);
        return start < 0 || end < 0
            ? throw new InvalidOperationException($"The page has no form with id '{formId}'.")
            : Read(html[start..end]);
    }

    public static string Value(string html, string name) =>
        Read(html).FirstOrDefault(field => field.Key == name).Value
        ?? throw new InvalidOperationException($"The page has no input named '{name}'.");

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    // Matches name="value", name='value' and bare attributes such as 'checked'.
    [GeneratedRegex("(?<name>[a-zA-Z_:.-]+)(?:\\s*=\\s*(?:\"(?<value>[^\"]*)\"|'(?<value>[^']*)'))?")]
    private static partial Regex Attribute();
}
