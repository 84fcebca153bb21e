using System.Net;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Identity;

/// <summary>The login page: audit events, return URLs and signing out.</summary>
public sealed class LoginTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task Login_Succeeded_RecordsAuditEvent()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var response = await LoginAsync(client, customer.Email, customer.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
        var events = await AuditActionsAsync(customer.Email);
        Assert.Equal(["login.succeeded"], events);
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsErrorAndRecordsFailure()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var response = await LoginAsync(client, customer.Email, "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is incorrect.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["login.failed"], await AuditActionsAsync(customer.Email));
    }

    [Fact]
    public async Task Login_UnknownEmail_RecordsFailureWithoutUser()
    {
        var email = $"nobody-{Guid.NewGuid():N}@bank.test";
        var client = factory.CreateBrowserlessClient();

        var response = await LoginAsync(client, email, "whatever-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = factory.CreateDbContext();
        var failure = await db.AuditEvents.SingleAsync(row => row.ActorName == email);
        Assert.Equal("login.failed", failure.Action);
        Assert.Null(failure.ActorId);
        Assert.Equal("unknown email", failure.Details);
    }

    [Theory]
    [InlineData("https://attacker.example/")]
    [InlineData("//attacker.example/")]
    [InlineData("/\\attacker.example/")]
    [InlineData("http:attacker.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("\\\\attacker.example")]
    [InlineData(" https://attacker.example/")]
    public async Task Login_OffSiteReturnUrl_IsIgnored(string returnUrl)
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var response = await LoginAsync(client, customer.Email, customer.Password, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Login_LocalReturnUrl_IsFollowed()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var response = await LoginAsync(client, customer.Email, customer.Password, "/account/apps?x=1");

        Assert.Equal("/account/apps?x=1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task LoginPage_OffSiteReturnUrl_NotRendered()
    {
        var client = factory.CreateBrowserlessClient();

        var html = await client.GetStringAsync("/Identity/Account/Login?returnUrl=https%3A%2F%2Fattacker.example%2F");

        Assert.DoesNotContain("attacker.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_EndsSessionAndRecordsEvent()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await LoginAsync(client, customer.Email, customer.Password);

        var response = await PageForms.SubmitAsync(client, "/Identity/Account/Logout", "logout-form");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var afterwards = await client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", afterwards.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(["login.succeeded", "login.signed_out"], await AuditActionsAsync(customer.Email));
    }

    [Fact]
    public async Task Logout_OffSiteReturnUrl_StaysOnSite()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await LoginAsync(client, customer.Email, customer.Password);
        var page = await client.GetStringAsync("/Identity/Account/Logout");

        var response = await client.PostAsync("/Identity/Account/Logout?returnUrl=https%3A%2F%2Fattacker.example%2F",
            new FormUrlEncodedContent(HtmlForm.ReadFormInputs(page, "logout-form")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Identity/Account/Logout", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/account")]
    [InlineData("/account/apps")]
    [InlineData("/account/security")]
    [InlineData("/account/security/authenticator")]
    public async Task CustomerPages_SignedOut_RedirectToLogin(string path)
    {
        var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Identity/Account/Login", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location.Query, StringComparison.Ordinal);
    }

    internal static async Task<HttpResponseMessage> LoginAsync(
        HttpClient client, string email, string password, string? returnUrl = null)
    {
        var path = returnUrl is null
            ? "/Identity/Account/Login"
            : "/Identity/Account/Login?returnUrl=" + Uri.EscapeDataString(returnUrl);

        return await PageForms.SubmitAsync(client, path, "account", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }

    private async Task<List<string>> AuditActionsAsync(string email)
    {
        await using var db = factory.CreateDbContext();
        return await db.AuditEvents.Where(row => row.ActorName == email).OrderBy(row => row.Id)
            .Select(row => row.Action).ToListAsync();
    }
}

/// <summary>A host that locks a login after three failed passwords.</summary>
public sealed class LockoutFactory : OpenBankingFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Identity:MaxFailedAccessAttempts"] = "3",
    };
}

public sealed class LockoutTests(LockoutFactory factory) : IClassFixture<LockoutFactory>
{
    [Fact]
    public async Task Login_ConfiguredFailures_LockTheLogin()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var first = await LoginTests.LoginAsync(client, customer.Email, "wrong-password-1");
        var second = await LoginTests.LoginAsync(client, customer.Email, "wrong-password-2");
        var third = await LoginTests.LoginAsync(client, customer.Email, "wrong-password-3");
        var correct = await LoginTests.LoginAsync(client, customer.Email, customer.Password);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        Assert.Equal("/Identity/Account/Lockout", third.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, correct.StatusCode);
        Assert.Equal("/Identity/Account/Lockout", correct.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/account")).StatusCode);

        await using var db = factory.CreateDbContext();
        var actions = await db.AuditEvents.Where(row => row.ActorName == customer.Email).OrderBy(row => row.Id)
            .Select(row => row.Action).ToListAsync();
        Assert.Equal(["login.failed", "login.failed", "login.locked_out", "login.locked_out"], actions);
        var user = await db.Users.SingleAsync(row => row.Email == customer.Email);
        Assert.NotNull(user.LockoutEnd);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task LockoutPage_ExplainsTheLock()
    {
        var client = factory.CreateBrowserlessClient();

        var html = await client.GetStringAsync("/Identity/Account/Lockout");

        Assert.Equal("Your login is locked for now", HtmlForm.ElementText(html, "lockout-title"));
    }
}
