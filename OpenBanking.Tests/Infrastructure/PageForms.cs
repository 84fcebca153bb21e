namespace OpenBanking.Tests.Infrastructure;

/// <summary>Opens a page of the site and submits one of its forms, as a browser would.</summary>
public static class PageForms
{
    /// <summary>
    /// GETs <paramref name="pagePath"/>, sets <paramref name="values"/> in the form with id
    /// <paramref name="formId"/> (antiforgery token included) and POSTs it to the form's action.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitAsync(
        HttpClient client, string pagePath, string formId, IReadOnlyDictionary<string, string>? values = null,
        Action<List<KeyValuePair<string, string>>>? tamper = null)
    {
        var page = await client.GetAsync(pagePath);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();

        return await SubmitAsync(client, html, page.RequestMessage!.RequestUri!, formId, values, tamper);
    }

    /// <summary>Submits the form <paramref name="formId"/> of an already loaded page.</summary>
    public static Task<HttpResponseMessage> SubmitAsync(
        HttpClient client, string html, Uri pageUri, string formId, IReadOnlyDictionary<string, string>? values = null,
        Action<List<KeyValuePair<string, string>>>? tamper = null)
    {
        var fields = HtmlForm.ReadFormInputs(html, formId);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields.RemoveAll(field => field.Key == name);
            fields.Add(KeyValuePair.Create(name, value));
        }

        tamper?.Invoke(fields);
        var action = HtmlForm.FormAction(html, formId);
        var target = action is null ? pageUri : new Uri(pageUri, action);

        return client.PostAsync(target, new FormUrlEncodedContent(fields));
    }
}
