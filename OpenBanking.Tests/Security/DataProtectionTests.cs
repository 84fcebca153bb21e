using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Data protection keys persist in the configured directory, so a restarted host still reads
/// the sign-in cookies and antiforgery tokens the previous one issued.
/// </summary>
public sealed class DataProtectionTests
{
    [Fact]
    public async Task KeyRing_SurvivesRestart()
    {
        using var first = new OpenBankingFactory();
        var flow = new OAuthFlow(first);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var protectedText = first.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("restart-test").Protect("payload");
        Assert.NotEmpty(Directory.GetFiles(first.KeysDirectory, "key-*.xml"));

        using var second = new RestartedFactory(first.KeysDirectory);
        var unprotected = second.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("restart-test").Unprotect(protectedText);

        Assert.Equal("payload", unprotected);
    }

    [Fact]
    public async Task SignInCookie_IsAcceptedByRestartedHost()
    {
        using var first = new OpenBankingFactory();
        var flow = new OAuthFlow(first);
        var page = await flow.Browser.GetStringAsync("/Identity/Account/Login");
        var login = await flow.Browser.PostAsync("/Identity/Account/Login", new FormUrlEncodedContent(
        [
            KeyValuePair.Create("Input.Email", OAuthFlow.CustomerEmail),
            KeyValuePair.Create("Input.Password", OAuthFlow.CustomerPassword),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(page)),
        ]));
        var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(header => header.Split(';')[0]));

        using var second = new RestartedFactory(first.KeysDirectory, first.DatabasePath);
        var client = second.CreateBrowserlessClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/o/authorize/?" + string.Join('&',
            OAuthFlow.AuthorizationParameters(Pkce.Create()).Select(pair => pair.Key + "=" + Uri.EscapeDataString(pair.Value!))));
        request.Headers.Add("Cookie", cookie);
        var response = await client.SendAsync(request);

        // Signed in: the request is cached and the browser goes on to the consent page, not to login.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/o/authorize/", response.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal),
            StringComparison.Ordinal);
        var consent = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, response.Headers.Location) { Headers = { { "Cookie", cookie } } });
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.Contains("wants to access your account", await consent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A second host that reuses the key ring (and optionally the database) of a first one.</summary>
    private sealed class RestartedFactory(string keysDirectory, string? databasePath = null) : OpenBankingFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["DataProtection:KeysDirectory"] = keysDirectory,
            ["ConnectionStrings:OpenBanking"] = databasePath is null ? $"Data Source={DatabasePath}" : $"Data Source={databasePath}",
        };
    }
}
