using System.Net;
using System.Text.RegularExpressions;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>Reads the input fields of an HTML page, enough to submit its form as a browser would.</summary>
public static partial class HtmlForm
{
    /// <summary>Returns name and value of each input of the page, checkboxes only when checked.</summary>
    public static List<KeyValuePair<string, string>> ReadInputs(string html)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputTag().Matches(html))
        {
            var attributes = Attribute().Matches(input.Value)
                .ToDictionary(match => match.Groups["name"].Value.ToLowerInvariant(),
                    match => WebUtility.HtmlDecode(match.Groups["value"].Value));
            if (!attributes.TryGetValue("name", out var name))
            {
                continue;
            }

            var type = attributes.GetValueOrDefault("type", "text");
            if (type is "checkbox" or "radio" && !input.Value.Contains("checked", StringComparison.Ordinal))
            {
                continue;
            }

            if (type is "submit")
            {
                continue;
            }

            fields.Add(KeyValuePair.Create(name, attributes.GetValueOrDefault("value", type is "checkbox" ? "on" : string.Empty)));
        }

        return fields;
    }

    /// <summary>
    /// Returns the fields of the form with id <paramref name="formId"/>, as a browser submits
    /// that form alone (the page may hold other forms, such as the sign-out button).
    /// </summary>
    public static List<KeyValuePair<string, string>> ReadFormInputs(string html, string formId)
    {
        var start = html.IndexOf($"id=\"{formId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"The page has no form with id '{formId}'.");
        var end = html.IndexOf("</form>", start, StringComparison.OrdinalIgnoreCase);
        return ReadInputs(html[start..end]);
    }

    public static string AntiforgeryToken(string html) =>
        ReadInputs(html).First(field => field.Key == "__RequestVerificationToken").Value;

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("(?<name>[a-zA-Z_:.-]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();
}
