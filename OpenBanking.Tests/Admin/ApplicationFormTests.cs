using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Admin.Applications;
using OpenBanking.Web.Admin.Tokens;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Admin;

/// <summary>
/// bUnit tests of the application form and pages. Pages use the real portal services of a host
/// on its own SQLite file, signed in as the seeded operator.
/// </summary>
public sealed class ApplicationFormTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private static readonly ApplicationFormOptions Options = new(["payments", "read", "write"], []);

    [Theory]
    [InlineData("javascript:alert(1)", "The 'javascript:' scheme is not allowed in a redirect URI.")]
    [InlineData("JaVaScRiPt:alert(1)", "The 'javascript:' scheme is not allowed in a redirect URI.")]
    [InlineData("data:text/html,<b>x</b>", "The 'data:' scheme is not allowed in a redirect URI.")]
    [InlineData("VBScript:msgbox(1)", "The 'vbscript:' scheme is not allowed in a redirect URI.")]
    [InlineData("java\tscript:alert(1)", "The redirect URI must not contain spaces, tabs or other control characters.")]
    [InlineData("https://app.example/cb#top", "The redirect URI must not contain a fragment (#...).")]
    [InlineData("https://*.app.example/cb", "Wildcards are not allowed: register each redirect URI exactly.")]
    [InlineData("/callback", "The redirect URI must be absolute, such as https://app.example/callback.")]
    [InlineData("http://app.example/cb", "http is allowed only on a loopback IP address such as http://127.0.0.1:8000/callback; use https.")]
    [InlineData("http://localhost:8000/cb", "Use the loopback IP address (http://127.0.0.1 or http://[::1]) instead of localhost (RFC 8252 section 8.3).")]
    [InlineData("com.example.app:/cb", "Private-use schemes are for native apps: set the client type to public to use one.")]
    [InlineData("ftp://files.example/cb", "The scheme 'ftp' is not allowed: use https, loopback http, or a private-use scheme based on a reversed domain name, such as com.example.app:/callback (RFC 8252 section 7.1).")]
    public async Task RedirectUri_InvalidValueShowsMessageBesideField(string uri, string message)
    {
        await using var context = NewContext();
        var submitted = false;
        var form = RenderForm(context, ValidInput(), () => submitted = true);

        await TypeAsync(form, "#redirect-uri-0", uri);
        await form.Find("#save-application").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains(message, Text(form), StringComparison.Ordinal));
        Assert.False(submitted);
    }

    [Theory]
    [InlineData("https://app.example/callback")]
    [InlineData("http://127.0.0.1:9000/callback")]
    [InlineData("http://[::1]/callback")]
    public async Task RedirectUri_ValidValueSubmits(string uri)
    {
        await using var context = NewContext();
        ApplicationInput? submitted = null;
        var input = ValidInput();
        var form = RenderForm(context, input, () => submitted = input);

        await TypeAsync(form, "#redirect-uri-0", uri);
        await form.Find("#save-application").ClickAsync(new());

        form.WaitForAssertion(() => Assert.NotNull(submitted));
        Assert.Equal([uri], submitted!.RedirectUris);
    }

    [Fact]
    public async Task RedirectUri_PrivateUseSchemeForPublicClient()
    {
        await using var context = NewContext();
        var submitted = false;
        var input = ValidInput();
        input.ClientType = ClientTypes.Public;
        input.GrantTypes = [GrantTypes.AuthorizationCode];
        var form = RenderForm(context, input, () => submitted = true);

        await TypeAsync(form, "#redirect-uri-0", "com.example.app:/oauth");
        await form.Find("#save-application").ClickAsync(new());

        form.WaitForAssertion(() => Assert.True(submitted));
    }

    [Theory]
    [InlineData("client-id", "", "The client id is required.")]
    [InlineData("client-id", "ab", "The client id must be 3 to 100 characters long.")]
    [InlineData("client-id", "my app!", "The client id may contain only letters, digits, '.', '_' and '-'.")]
    [InlineData("display-name", "", "The display name is required: the consent page shows it to customers.")]
    public async Task TextField_InvalidValueShowsMessage(string inputId, string value, string message)
    {
        await using var context = NewContext();
        var submitted = false;
        var form = RenderForm(context, ValidInput(), () => submitted = true);

        await TypeAsync(form, "#" + inputId, value);
        await form.Find("#save-application").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains(message, Text(form), StringComparison.Ordinal));
        Assert.False(submitted);
    }

    [Fact]
    public async Task DisplayName_LongerThan200Rejected()
    {
        await using var context = NewContext();
        var form = RenderForm(context, ValidInput(), () => { });

        await TypeAsync(form, "#display-name", new string('x', 201));
        await form.Find("#save-application").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains("The display name must be at most 200 characters long.", Text(form), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GrantTypesAndScopes_InvalidShowMessages()
    {
        await using var context = NewContext();
        var submitted = false;
        var input = ValidInput();
        var form = RenderForm(context, input, () => submitted = true);

        await UntickAsync(form, "read");
        form.WaitForAssertion(() => Assert.Equal("Choose at least one scope.", form.Find("#scopes-error").TextContent));

        await UntickAsync(form, "authorization_code");
        form.WaitForAssertion(() => Assert.Equal(
            "refresh_token needs authorization_code: refresh tokens are issued only by the code flow.",
            form.Find("#grant-types-error").TextContent));

        await UntickAsync(form, "refresh_token");
        form.WaitForAssertion(() => Assert.Equal("Choose at least one grant type.", form.Find("#grant-types-error").TextContent));

        await form.Find("#save-application").ClickAsync(new());
        Assert.False(submitted);
    }

    [Fact]
    public async Task ClientCredentials_RefusedForPublicClient()
    {
        await using var context = NewContext();
        var input = ValidInput();
        input.ClientType = ClientTypes.Public;
        input.GrantTypes.Add(GrantTypes.ClientCredentials);
        var form = RenderForm(context, input, () => { });

        form.WaitForAssertion(() => Assert.Equal(
            "A public client cannot use client_credentials: it has no secret to authenticate with.",
            form.Find("#grant-types-error").TextContent));
    }

    [Fact]
    public async Task RedirectUris_MissingForCodeFlowShowsMessage()
    {
        await using var context = NewContext();
        var form = RenderForm(context, ValidInput(), () => { });

        await form.Find("#redirect-uri-remove-0").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Equal("The authorization_code grant needs at least one redirect URI.",
            form.Find("#redirect-uri-list-error").TextContent));
    }

    [Fact]
    public async Task CreatePage_ShowsSecretOnce()
    {
        await using var session = await PortalSession.OpenAsync(factory);
        await using var context = NewContext(session);
        var page = context.Render<ApplicationCreate>();
        page.WaitForElement("#display-name");

        await TypeAsync(page, "#display-name", "bUnit app");
        await page.Find("#redirect-uri-add").ClickAsync(new());
        await TypeAsync(page, "#redirect-uri-0", "https://bunit.example/callback");
        await page.Find("#save-application").ClickAsync(new());

        var secretField = page.WaitForElement("#client-secret");
        var secret = secretField.GetAttribute("value")!;
        Assert.Equal(43, secret.Length);
        Assert.Contains("will not be shown again", page.Markup, StringComparison.Ordinal);

        await page.Find("#secret-stored").ClickAsync(new());
        var navigation = context.Services.GetRequiredService<NavigationManager>();
        Assert.Matches("/admin/applications/[0-9a-f-]{36}$", navigation.Uri);
        var id = navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..];

        var detail = context.Render<ApplicationDetail>(parameters => parameters.Add(p => p.Id, id));
        detail.WaitForElement("#detail-client-id");
        Assert.Empty(detail.FindAll("#client-secret"));
        Assert.DoesNotContain(secret, detail.Markup, StringComparison.Ordinal);
        var stored = await session.Get<ApplicationAdminService>().GetAsync(id, CancellationToken.None);
        Assert.Equal("bUnit app", stored!.Input.DisplayName);
    }

    [Fact]
    public async Task DeleteAndRotate_AskForConfirmationFirst()
    {
        await using var session = await PortalSession.OpenAsync(factory);
        var service = session.Get<ApplicationAdminService>();
        var input = ValidInput();
        input.ClientId = ClientSecrets.NewClientId();
        var created = await service.CreateAsync(input, CancellationToken.None);
        Assert.True(created.Succeeded);
        await using var context = NewContext(session);
        var dialogs = context.Render<MudDialogProvider>();
        var page = context.Render<ApplicationDetail>(parameters => parameters.Add(p => p.Id, created.Id!));
        page.WaitForElement("#delete-application");

        // The buttons that open a dialog are clicked without awaiting their handler, which
        // waits until the dialog closes.

        // Cancel: nothing changes.
        _ = page.Find("#delete-application").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("its 0 live token(s) are revoked. This cannot be undone.", dialogs.Markup, StringComparison.Ordinal));
        await ClickDialogButtonAsync(dialogs, "Cancel");
        Assert.NotNull(await service.GetAsync(created.Id!, CancellationToken.None));

        // Rotate, cancelled then confirmed: the new secret appears once.
        _ = page.Find("#rotate-secret").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("the current one stops working at once", dialogs.Markup, StringComparison.Ordinal));
        await ClickDialogButtonAsync(dialogs, "Cancel");
        Assert.Empty(page.FindAll("#client-secret"));
        _ = page.Find("#rotate-secret").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("the current one stops working at once", dialogs.Markup, StringComparison.Ordinal));
        await ClickDialogButtonAsync(dialogs, "Rotate");
        var rotated = page.WaitForElement("#client-secret").GetAttribute("value");
        Assert.NotEqual(created.ClientSecret, rotated);

        // Confirm: the application is gone.
        _ = page.Find("#delete-application").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("This cannot be undone.", dialogs.Markup, StringComparison.Ordinal));
        await ClickDialogButtonAsync(dialogs, "Delete");
        page.WaitForAssertion(() => Assert.EndsWith("/admin/applications", context.Services.GetRequiredService<NavigationManager>().Uri,
            StringComparison.Ordinal));
        Assert.Null(await service.GetAsync(created.Id!, CancellationToken.None));
    }

    // MudBlazor 9 text fields take their value on input when Immediate is set and on change
    // otherwise, and validate on blur.
    private static async Task TypeAsync<T>(IRenderedComponent<T> component, string selector, string value)
        where T : IComponent
    {
        var input = component.Find(selector);
        if (input.HasAttribute("blazor:oninput"))
        {
            await input.InputAsync(new ChangeEventArgs { Value = value });
        }
        else
        {
            await input.ChangeAsync(new ChangeEventArgs { Value = value });
        }

        await component.Find(selector).BlurAsync(new Microsoft.AspNetCore.Components.Web.FocusEventArgs());
    }

    private static async Task UntickAsync(IRenderedComponent<ApplicationForm> form, string label)
    {
        var box = form.FindAll("label").Single(element => element.TextContent.Trim() == label).QuerySelector("input")!;
        await box.ChangeAsync(new ChangeEventArgs { Value = false });
    }

    private static string Text<T>(IRenderedComponent<T> component)
        where T : IComponent => System.Net.WebUtility.HtmlDecode(component.Markup);

    private static async Task ClickDialogButtonAsync(IRenderedComponent<MudDialogProvider> dialogs, string text)
    {
        var button = dialogs.FindAll("button").Single(element => element.TextContent.Trim() == text);
        await button.ClickAsync(new());
    }

    private static ApplicationInput ValidInput() => new()
    {
        ClientId = "form-test-app",
        DisplayName = "Form test app",
        RedirectUris = ["https://app.example/callback"],
        Scopes = ["read"],
    };

    private static IRenderedComponent<ApplicationForm> RenderForm(BunitContext context, ApplicationInput input, Action onSubmit) =>
        context.Render<ApplicationForm>(parameters => parameters
            .Add(p => p.Model, input)
            .Add(p => p.Options, Options)
            .Add(p => p.IsNew, true)
            .Add(p => p.OnValidSubmit, EventCallback.Factory.Create<ApplicationInput>(new object(), onSubmit)));

    private static BunitContext NewContext(PortalSession? session = null)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLogging();
        if (session is not null)
        {
            context.Services.AddSingleton(session.Get<ApplicationAdminService>());
            context.Services.AddSingleton(session.Get<TokenAdminService>());
        }

        context.Render<MudPopoverProvider>();
        return context;
    }
}
