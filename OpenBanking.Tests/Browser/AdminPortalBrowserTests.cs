using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using OpenBanking.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenBanking.Tests.Browser;

/// <summary>
/// An operator registers an application in the portal, the test runs the OAuth flow with the
/// secret copied from the page, and the operator revokes the token on the Tokens page. Each
/// main page is saved as a screenshot for reviewers.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class AdminPortalBrowserTests(BrowserSession browser, KestrelFactory factory, ITestOutputHelper output)
    : IClassFixture<KestrelFactory>
{
    [BrowserFact]
    public async Task Operator_RegistersApplicationAndRevokesItsToken()
    {
        var baseAddress = factory.ServerAddress.ToString().TrimEnd('/');
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();

        await LogInAsync(page);
        await ScreenshotAsync(page, "admin-dashboard");

        var redirectUri = baseAddress + "/callback/";
        var (clientId, secret, applicationId) = await RegisterApplicationAsync(page, redirectUri);
        await ScreenshotAsync(page, "admin-application-detail");

        var flow = new OAuthFlow(factory);
        var accessToken = await RunAuthorizationCodeFlowAsync(flow, clientId, secret, redirectUri);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(accessToken)).StatusCode);

        await RevokeAccessTokenAsync(page, applicationId);
        var afterRevoke = await flow.GetBalanceAsync(accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);

        await VisitOtherPagesAsync(page);
    }

    private static async Task LogInAsync(IPage page)
    {
        await page.GotoAsync("/Identity/Account/Login?returnUrl=%2Fadmin");
        await page.FillAsync("#Input_Email", PortalSession.AdminEmail);
        await page.FillAsync("#Input_Password", "admin-pass-123");
        await page.ClickAsync("#login-submit");
        await WaitForPortalAsync(page, "Dashboard");
        await page.WaitForSelectorAsync("#dashboard-counts");
    }

    private async Task<(string ClientId, string Secret, string Id)> RegisterApplicationAsync(IPage page, string redirectUri)
    {
        await page.ClickAsync("a[href='/admin/applications']");
        await WaitForPortalAsync(page, "Applications");
        await page.ClickAsync("#new-application");
        await WaitForPortalAsync(page, "Register an application");

        await page.FillAsync("#display-name", "Browser portal app");
        await page.PressAsync("#display-name", "Tab");
        await page.ClickAsync("#redirect-uri-add");
        await page.FillAsync("#redirect-uri-0", redirectUri);
        await page.PressAsync("#redirect-uri-0", "Tab");
        await page.GetByText("payments", new() { Exact = true }).ClickAsync();
        var clientId = await page.InputValueAsync("#client-id");
        await ScreenshotAsync(page, "admin-application-new");

        await page.ClickAsync("#save-application");
        await page.WaitForSelectorAsync("#client-secret");
        var displayed = await page.InputValueAsync("#client-secret");
        await page.ClickAsync("#copy-secret");
        await page.GetByText("Secret copied to the clipboard.").WaitForAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(displayed, copied);
        Assert.Equal(43, copied.Length);
        await ScreenshotAsync(page, "admin-application-secret");

        await page.ClickAsync("#secret-stored");
        await page.WaitForSelectorAsync("#security-report");
        Assert.Equal(0, await page.Locator("#client-secret").CountAsync());
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        return (clientId, copied, id);
    }

    // The customer signs in and consents in a second browser context, which lands on the
    // product's /callback/ page with the code. The application redeems it over plain HTTP.
    private async Task<string> RunAuthorizationCodeFlowAsync(OAuthFlow flow, string clientId, string secret, string redirectUri)
    {
        var pkce = Pkce.Create();
        await using var customer = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = factory.ServerAddress.ToString() });
        var page = await customer.NewPageAsync();
        await page.GotoAsync(QueryHelpers.AddQueryString("/o/authorize/", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
            ["scope"] = "read payments",
            ["state"] = "portal-state",
        }));
        await page.FillAsync("#Input_Email", OAuthFlow.CustomerEmail);
        await page.FillAsync("#Input_Password", OAuthFlow.CustomerPassword);
        await page.ClickAsync("#login-submit");
        await page.ClickAsync("button[name='submit.allow']");
        await page.WaitForURLAsync("**/callback/**");
        var code = await page.InnerTextAsync("#callback-code");
        Assert.Equal("portal-state", await page.InnerTextAsync("#callback-state"));

        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientId, secret, redirectUri);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        return (await TokenSet.ReadAsync(exchanged)).AccessToken;
    }

    private async Task RevokeAccessTokenAsync(IPage page, string applicationId)
    {
        await page.GotoAsync($"/admin/tokens?application={applicationId}");
        await WaitForPortalAsync(page, "Tokens");
        var row = page.Locator("#token-grid tbody tr", new() { HasText = "access token" });
        await row.First.WaitForAsync();
        await ScreenshotAsync(page, "admin-tokens");

        await row.First.Locator("button[aria-label='Revoke']").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await dialog.GetByText("ends 2 token(s) now").WaitForAsync();
        await ScreenshotAsync(page, "admin-tokens-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByText("2 token(s) revoked.").WaitForAsync();
    }

    private async Task VisitOtherPagesAsync(IPage page)
    {
        foreach (var (href, title, rowText, name) in new[]
                 {
                     ("/admin/scopes", "Scopes", "Initiate payments", "admin-scopes"),
                     ("/admin/consents", "Consents", OAuthFlow.CustomerEmail, "admin-consents"),
                     ("/admin/customers", "Customers", OAuthFlow.CustomerEmail, "admin-customers"),
                     ("/admin/audit", "Audit log", "token.revoked", "admin-audit"),
                 })
        {
            await page.ClickAsync($"a[href='{href}']");
            await WaitForPortalAsync(page, title);
            await page.Locator("tbody tr", new() { HasText = rowText }).First.WaitForAsync();
            await ScreenshotAsync(page, name);
        }

        await page.ClickAsync("a[href='/admin/consents']");
        await WaitForPortalAsync(page, "Consents");
        await page.Locator("#consent-grid tbody tr").First.GetByText("Timeline").ClickAsync();
        await WaitForPortalAsync(page, "Grant timeline");
        await page.WaitForSelectorAsync("#grant-timeline");
        await ScreenshotAsync(page, "admin-grant-timeline");

        await page.ClickAsync("a[href='/admin']");
        await WaitForPortalAsync(page, "Dashboard");
        await page.WaitForSelectorAsync("#dashboard-security");
        await ScreenshotAsync(page, "admin-dashboard-after");
    }

    // Waits for the page's title and for the Blazor circuit, before which clicks reach only prerendered HTML.
    private static async Task WaitForPortalAsync(IPage page, string title)
    {
        await page.Locator("#page-title", new() { HasText = title }).WaitForAsync();
        await page.WaitForSelectorAsync("#admin-main[data-interactive]");
    }

    // Snackbars close by themselves after a few seconds; the screenshot waits so they hide nothing.
    private async Task ScreenshotAsync(IPage page, string name)
    {
        await page.Locator(".mud-snackbar").First.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 15_000 });
        output.WriteLine("Screenshot: " + await BrowserSession.ScreenshotAsync(page, name));
    }
}
