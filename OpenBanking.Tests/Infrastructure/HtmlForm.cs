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

    /// <summary>Returns the action of the form with id <paramref name="formId"/>, or null when it posts to its own page.</summary>
    public static string? FormAction(string html, string formId)
    {
        var idIndex = html.IndexOf($"id=\"{formId}\"", StringComparison.Ordinal);
        Assert.True(idIndex >= 0, $"The page has no form with id '{formId}'.");
        var tagStart = html.LastIndexOf("<form", idIndex, StringComparison.OrdinalIgnoreCase);
        var tag = html[tagStart..(html.IndexOf('>', idIndex) + 1)];
        var action = Attribute().Matches(tag).FirstOrDefault(match => match.Groups["name"].Value == "action");

        return action is null ? null : WebUtility.HtmlDecode(action.Groups["value"].Value);
    }

    /// <summary>Returns the inner text of the element with id <paramref name="id"/>, without tags.</summary>
    public static string ElementText(string html, string id)
    {
        var idIndex = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(idIndex >= 0, $"The page has no element with id '{id}'.");
        var start = html.IndexOf('>', idIndex) + 1;
        var tagStart = html.LastIndexOf('<', idIndex);
        var tagName = html[(tagStart + 1)..].Split([' ', '>'], 2)[0];
        var end = html.IndexOf($"</{tagName}>", start, StringComparison.OrdinalIgnoreCase);

        return WebUtility.HtmlDecode(Tag().Replace(html[start..end], string.Empty)).Trim();
    }

    public static string AntiforgeryToken(string html) =>
        ReadInputs(html).First(field => field.Key == "__RequestVerificationToken").Value;

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("(?<name>[a-zA-Z_:.-]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();
}
