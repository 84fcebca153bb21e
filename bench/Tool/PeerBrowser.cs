namespace OpenBanking.Bench.Tool;

/// <summary>
/// Walks the django-oauth-toolkit peer: Django's login form, then DOT's authorization form,
/// both protected by Django's CSRF token.
/// </summary>
internal sealed class PeerBrowser(Uri baseAddress) : OAuthBrowser(baseAddress)
{
    public const string Username = "alice";
    public const string Password = "alice-pass-123";

    public override async Task LoginAsync(CancellationToken cancellationToken)
    {
        var page = await Http.GetStringAsync("/accounts/login/", cancellationToken);
        using var response = await PostFormAsync(new Uri("/accounts/login/", UriKind.Relative),
        [
            KeyValuePair.Create("username", Username),
            KeyValuePair.Create("password", Password),
            KeyValuePair.Create("csrfmiddlewaretoken", HtmlInputs.Value(page, "csrfmiddlewaretoken")),
        ], cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"Peer login as {Username} returned {(int)response.StatusCode}, expected 302.");
        }
    }

    protected override async Task<HttpResponseMessage> AllowAsync(HttpResponseMessage page, CancellationToken cancellationToken)
    {
        var fields = HtmlInputs.Read(await page.Content.ReadAsStringAsync(cancellationToken));
        fields.Add(KeyValuePair.Create("allow", "Authorize"));
        return await PostFormAsync(new Uri("/o/authorize/", UriKind.Relative), fields, cancellationToken);
    }
}
