using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenBanking.Bench.Tool;

/// <summary>
/// A cookie-keeping HTTP client that walks the authorization code flow with PKCE against a
/// server on loopback. The login and consent steps differ between the product and the peer,
/// so subclasses supply them.
/// </summary>
internal abstract class OAuthBrowser : IDisposable
{
    public const string ClientId = "ref-web-client";
    public const string ClientSecret = "ref-web-secret-0123456789abcdef0123456789abcdef";
    public const string RedirectUri = "http://127.0.0.1:8000/callback/";
    public const string Scope = "read write payments";

    protected OAuthBrowser(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        Http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    protected HttpClient Http { get; }

    public abstract Task LoginAsync(CancellationToken cancellationToken);

    /// <summary>Submits the consent page that <paramref name="page"/> shows and returns the response.</summary>
    protected abstract Task<HttpResponseMessage> AllowAsync(HttpResponseMessage page, CancellationToken cancellationToken);

    /// <summary>Runs one authorization code flow and returns the access and refresh token.</summary>
    public async Task<(string AccessToken, string RefreshToken)> GetTokensAsync(CancellationToken cancellationToken)
    {
        var verifier = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlTextEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var query = QueryHelpers.AddQueryString("/o/authorize/", new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["scope"] = Scope,
            ["state"] = state,
        });

        var response = await FollowLocalRedirectsAsync(await Http.GetAsync(query, cancellationToken), cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response = await FollowLocalRedirectsAsync(await AllowAsync(response, cancellationToken), cancellationToken);
        }

        var code = ReadCode(response, state);
        return await ExchangeCodeAsync(code, verifier, cancellationToken);
    }

    /// <summary>Returns the body of GET /api/balance/ with <paramref name="accessToken"/>.</summary>
    public async Task<string> GetBalanceAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/balance/");
        request.Headers.Authorization = new("Bearer", accessToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? body
            : throw new InvalidOperationException($"GET /api/balance/ returned {(int)response.StatusCode}: {body}");
    }

    public void Dispose() => Http.Dispose();

    protected async Task<HttpResponseMessage> PostFormAsync(
        Uri uri, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await Http.PostAsync(uri, content, cancellationToken);
    }

    private async Task<(string, string)> ExchangeCodeAsync(string code, string verifier, CancellationToken cancellationToken)
    {
        using var response = await PostFormAsync(new Uri("/o/token/", UriKind.Relative),
        [
            KeyValuePair.Create("grant_type", "authorization_code"),
            KeyValuePair.Create("code", code),
            KeyValuePair.Create("redirect_uri", RedirectUri),
            KeyValuePair.Create("client_id", ClientId),
            KeyValuePair.Create("client_secret", ClientSecret),
            KeyValuePair.Create("code_verifier", verifier),
        ], cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The code exchange returned {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("access_token").GetString()!,
            json.RootElement.GetProperty("refresh_token").GetString()!);
    }

    private async Task<HttpResponseMessage> FollowLocalRedirectsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Moved)
                || response.Headers.Location is not { } location)
            {
                return response;
            }

            var target = location.IsAbsoluteUri ? location : new Uri(Http.BaseAddress!, location);
            if (target.Authority != Http.BaseAddress!.Authority)
            {
                return response;
            }

            response = await Http.GetAsync(target, cancellationToken);
        }

        throw new InvalidOperationException("The authorization request was redirected more than 10 times.");
    }

    private static string ReadCode(HttpResponseMessage response, string state)
    {
        var location = response.Headers.Location?.ToString() ?? string.Empty;
        if (!location.StartsWith(RedirectUri + "?", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The authorization request ended with {(int)response.StatusCode} {location}, not a redirect to the client.");
        }

        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        if (query["state"] != state || string.IsNullOrEmpty(query["code"]))
        {
            throw new InvalidOperationException($"The redirect to the client carries no code for this request: {location}");
        }

        return query["code"]!;
    }
}
