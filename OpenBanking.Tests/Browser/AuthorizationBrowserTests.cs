using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;
using Xunit.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Browser;

[Collection(BrowserTestGroup.Name)]
public sealed class AuthorizationBrowserTests(BrowserSession browser, KestrelFactory factory, ITestOutputHelper output)
    : IClassFixture<KestrelFactory>
{
    private readonly KestrelFactory _factory = factory;

    [BrowserFact]
    public async Task LoginAndConsent_LandOnCallbackWithCode()
    {
        var baseAddress = _factory.ServerAddress.ToString().TrimEnd('/');
        var redirectUri = baseAddress + "/callback/";
        await RegisterClientAsync("browser-client", redirectUri);
        var pkce = Pkce.Create();

        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{baseAddress}/o/authorize/?client_id=browser-client&response_type=code"
            + $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&code_challenge={pkce.Challenge}"
            + "&code_challenge_method=S256&scope=read%20payments&state=browser-state");

        await page.WaitForURLAsync("**/Identity/Account/Login**");
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "login"));
        await page.FillAsync("#Input_Email", OAuthFlow.CustomerEmail);
        await page.FillAsync("#Input_Password", OAuthFlow.CustomerPassword);
        await page.ClickAsync("#login-submit");

        await page.WaitForSelectorAsync("#consent-scopes");
        Assert.Contains("Browser test app wants to access your account", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "consent"));
        await page.ClickAsync("button[name='submit.allow']");

        await page.WaitForURLAsync("**/callback/**");
        var code = await page.InnerTextAsync("#callback-code");
        Assert.False(string.IsNullOrWhiteSpace(code));
        Assert.Equal("browser-state", await page.InnerTextAsync("#callback-state"));
        Assert.Contains("grant_type=authorization_code", await page.InnerTextAsync("#callback-curl"), StringComparison.Ordinal);
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, "callback"));

        // The code on the page is real: the token endpoint accepts it.
        var flow = new OAuthFlow(_factory);
        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, "browser-client", "browser-secret-0123456789", redirectUri);
        Assert.Equal(System.Net.HttpStatusCode.OK, exchanged.StatusCode);
    }

    private async Task RegisterClientAsync(string clientId, string redirectUri)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = "browser-secret-0123456789",
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = "Browser test app",
            RedirectUris = { new Uri(redirectUri) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + "read", Permissions.Prefixes.Scope + "payments",
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }
}
