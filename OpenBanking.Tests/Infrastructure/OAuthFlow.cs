using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>
/// Drives the authorization code flow over real HTTP: a cookie-keeping "browser" for login and
/// consent, and a plain client for the token endpoint and the bank API.
/// </summary>
public sealed class OAuthFlow(OpenBankingFactory factory)
{
    public const string DemoClientId = "ref-web-client";
    public const string DemoClientSecret = "ref-web-secret-0123456789abcdef0123456789abcdef";
    public const string DemoRedirectUri = "http://127.0.0.1:8000/callback/";
    public const string CustomerEmail = "alice@bank.test";
    public const string CustomerPassword = "alice-pass-123";

    public HttpClient Browser { get; } = factory.CreateBrowserlessClient();

    public HttpClient App { get; } = factory.CreateBrowserlessClient();

    public async Task LoginAsync(string email, string password)
    {
        var page = await Browser.GetStringAsync("/Identity/Account/Login");
        var response = await Browser.PostAsync("/Identity/Account/Login", new FormUrlEncodedContent(
        [
            KeyValuePair.Create("Input.Email", email),
            KeyValuePair.Create("Input.Password", password),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(page)),
        ]));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Standard authorization request parameters for the demo client, with a fresh PKCE pair.</summary>
    public static Dictionary<string, string?> AuthorizationParameters(Pkce pkce, string? scope = "read write payments") => new()
    {
        ["client_id"] = DemoClientId,
        ["response_type"] = "code",
        ["redirect_uri"] = DemoRedirectUri,
        ["code_challenge"] = pkce.Challenge,
        ["code_challenge_method"] = "S256",
        ["scope"] = scope,
        ["state"] = "state-" + Guid.NewGuid().ToString("N"),
    };

    /// <summary>
    /// Sends the request to /o/authorize/ and follows redirects that stay on this server. Returns
    /// the last response: a page (consent, login, error) or a redirect to the application.
    /// </summary>
    public async Task<HttpResponseMessage> AuthorizeAsync(IDictionary<string, string?> parameters)
    {
        var uri = QueryHelpers.AddQueryString("/o/authorize/", parameters.Where(pair => pair.Value is not null));
        return await FollowLocalRedirectsAsync(await Browser.GetAsync(uri));
    }

    /// <summary>Submits the consent page: Allow with the ticked scopes, or Deny.</summary>
    public async Task<HttpResponseMessage> SubmitConsentAsync(
        HttpResponseMessage consentPage, bool allow, IEnumerable<string>? grantedScopes = null,
        Action<List<KeyValuePair<string, string>>>? tamper = null)
    {
        var html = await consentPage.Content.ReadAsStringAsync();
        var fields = HtmlForm.ReadFormInputs(html, "consent-form");
        if (grantedScopes is not null)
        {
            fields.RemoveAll(field => field.Key == "granted_scope");
            fields.AddRange(grantedScopes.Select(scope => KeyValuePair.Create("granted_scope", scope)));
        }

        fields.Add(KeyValuePair.Create(allow ? "submit.allow" : "submit.deny", "yes"));
        tamper?.Invoke(fields);
        var response = await Browser.PostAsync(consentPage.RequestMessage!.RequestUri, new FormUrlEncodedContent(fields));
        return await FollowLocalRedirectsAsync(response);
    }

    /// <summary>Logs in, authorizes, allows, and returns the authorization code.</summary>
    public async Task<string> GetCodeAsync(Pkce pkce, string? scope = "read write payments",
        string email = CustomerEmail, string password = CustomerPassword)
    {
        await LoginAsync(email, password);
        var parameters = AuthorizationParameters(pkce, scope);
        var response = await AuthorizeAsync(parameters);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response = await SubmitConsentAsync(response, allow: true);
        }

        var query = RedirectQuery(response);
        Assert.Equal(parameters["state"], query["state"]);
        return query["code"]!;
    }

    /// <summary>Runs the whole flow and returns the token response.</summary>
    public async Task<TokenSet> GetTokensAsync(string? scope = "read write payments",
        string email = CustomerEmail, string password = CustomerPassword)
    {
        var pkce = Pkce.Create();
        var code = await GetCodeAsync(pkce, scope, email, password);
        var response = await ExchangeCodeAsync(code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokenSet.ReadAsync(response);
    }

    /// <summary>Returns the query of a redirect to the demo application's redirect URI.</summary>
    public static Dictionary<string, string?> RedirectQuery(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(DemoRedirectUri + "?", location, StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(pair => pair.Key, pair => (string?)pair.Value.ToString());
    }

    public Task<HttpResponseMessage> ExchangeCodeAsync(string code, string verifier,
        string clientId = DemoClientId, string clientSecret = DemoClientSecret, string redirectUri = DemoRedirectUri) =>
        PostTokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["code_verifier"] = verifier,
        });

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string? scope = null,
        string clientId = DemoClientId, string clientSecret = DemoClientSecret) =>
        PostTokenAsync(new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = scope,
        });

    public Task<HttpResponseMessage> PostTokenAsync(Dictionary<string, string?> form) =>
        App.PostAsync("/o/token/", new FormUrlEncodedContent(form.Where(pair => pair.Value is not null)!));

    public Task<HttpResponseMessage> RevokeAsync(string token, string? hint = null,
        string clientId = DemoClientId, string clientSecret = DemoClientSecret) =>
        App.PostAsync("/o/revoke_token/", new FormUrlEncodedContent(new Dictionary<string, string?>
        {
            ["token"] = token,
            ["token_type_hint"] = hint,
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }.Where(pair => pair.Value is not null)!));

    public Task<HttpResponseMessage> GetBalanceAsync(string? accessToken) =>
        SendApiAsync(HttpMethod.Get, "/api/balance/", accessToken, body: null);

    public Task<HttpResponseMessage> TransferAsync(string? accessToken, string jsonBody) =>
        SendApiAsync(HttpMethod.Post, "/api/transfer/", accessToken, new StringContent(jsonBody, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> SendApiAsync(HttpMethod method, string path, string? accessToken, HttpContent? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return App.SendAsync(request);
    }

    private async Task<HttpResponseMessage> FollowLocalRedirectsAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
                || response.Headers.Location is not { } location)
            {
                return response;
            }

            var target = location.IsAbsoluteUri ? location : new Uri(Browser.BaseAddress!, location);
            if (target.Host != Browser.BaseAddress!.Host)
            {
                return response;
            }

            response = await Browser.GetAsync(target);
        }

        throw new InvalidOperationException("More than 10 redirects.");
    }
}

/// <summary>The fields of a successful token response.</summary>
public sealed record TokenSet(string AccessToken, string? RefreshToken, string TokenType, int ExpiresIn, string Scope, JsonElement Json)
{
    public static async Task<TokenSet> ReadAsync(HttpResponseMessage response)
    {
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new TokenSet(
            json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
            json.GetProperty("token_type").GetString()!,
            json.GetProperty("expires_in").GetInt32(),
            json.GetProperty("scope").GetString()!,
            json);
    }
}
