using System.Diagnostics;
using System.Text.Json;

namespace OpenBanking.Bench.Tool;

/// <summary>Walks the product's login, consent and token endpoints as the Development customer.</summary>
internal sealed class ProductBrowser(Uri baseAddress) : OAuthBrowser(baseAddress)
{
    public const string Email = "alice@bank.test";
    public const string Password = "alice-pass-123";

    public override async Task LoginAsync(CancellationToken cancellationToken)
    {
        var page = await Http.GetStringAsync("/Identity/Account/Login", cancellationToken);
        using var response = await PostFormAsync(new Uri("/Identity/Account/Login", UriKind.Relative),
        [
            KeyValuePair.Create("Input.Email", Email),
            KeyValuePair.Create("Input.Password", Password),
            KeyValuePair.Create("__RequestVerificationToken", HtmlInputs.Value(page, "__RequestVerificationToken")),
        ], cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Login as {Email} returned {(int)response.StatusCode}, expected 302.");
        }
    }

    protected override async Task<HttpResponseMessage> AllowAsync(HttpResponseMessage page, CancellationToken cancellationToken)
    {
        // Only the consent form: the page layout carries a sign-out form with its own token.
        var fields = HtmlInputs.ReadForm(await page.Content.ReadAsStringAsync(cancellationToken), "consent-form");
        fields.Add(KeyValuePair.Create("submit.allow", "yes"));
        return await PostFormAsync(page.RequestMessage!.RequestUri!, fields, cancellationToken);
    }
}

/// <summary>The <c>tokens</c> and <c>peer-tokens</c> commands: fill the token pools of a run.</summary>
internal static class ProductTokens
{
    public static Task<int> RunAsync(CommandLine options) =>
        TokenPools.WriteAsync(options, url => new ProductBrowser(url));
}

internal static class PeerTokens
{
    public static Task<int> RunAsync(CommandLine options) =>
        TokenPools.WriteAsync(options, url => new PeerBrowser(url));
}

internal static class TokenPools
{
    /// <summary>
    /// Writes one access token per line to access_tokens.txt and one refresh token per line to
    /// refresh_tokens.txt, each from its own authorization code flow, and the balance response
    /// body to balance.json.
    /// </summary>
    public static async Task<int> WriteAsync(CommandLine options, Func<Uri, OAuthBrowser> createBrowser)
    {
        var url = new Uri(options.Required("url"));
        var directory = options.Required("out");
        var accessCount = options.Integer("access", 32);
        var refreshCount = options.Integer("refresh", 128);
        Directory.CreateDirectory(directory);

        var stopwatch = Stopwatch.StartNew();
        using var browser = createBrowser(url);
        await browser.LoginAsync(CancellationToken.None);

        var access = new List<string>();
        var refresh = new List<string>();
        for (var flow = 0; flow < Math.Max(accessCount, refreshCount); flow++)
        {
            var (accessToken, refreshToken) = await browser.GetTokensAsync(CancellationToken.None);
            if (flow < accessCount)
            {
                access.Add(accessToken);
            }

            // A separate flow's refresh token, so refreshing never touches the access tokens above.
            if (flow < refreshCount)
            {
                refresh.Add((await browser.GetTokensAsync(CancellationToken.None)).RefreshToken);
            }
        }

        await File.WriteAllLinesAsync(Path.Combine(directory, "access_tokens.txt"), access);
        await File.WriteAllLinesAsync(Path.Combine(directory, "refresh_tokens.txt"), refresh);
        var balance = await browser.GetBalanceAsync(access[0], CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(directory, "balance.json"), balance);

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            access_tokens = access.Count,
            refresh_tokens = refresh.Count,
            seconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1),
        }));
        return 0;
    }
}
