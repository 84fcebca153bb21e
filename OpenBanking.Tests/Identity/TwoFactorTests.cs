using System.Net;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OtpNet;

namespace OpenBanking.Tests.Identity;

/// <summary>Authenticator app enrolment and sign-in with TOTP codes (RFC 6238) computed here.</summary>
public sealed class TwoFactorTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task Authenticator_EnrolThenSignInWithTotp()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await LoginTests.LoginAsync(client, customer.Email, customer.Password);

        var key = await EnrolAsync(client);
        await SignOutAsync(client);

        var password = await LoginTests.LoginAsync(client, customer.Email, customer.Password, "/account/apps");
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/Identity/Account/LoginWith2fa", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/account")).StatusCode);

        var secondStep = password.Headers.Location.OriginalString;
        var wrong = await SubmitCodeAsync(client, secondStep, WrongCode(key));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("The code is not valid.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The next time step's code: Identity accepts codes a little ahead, for phones whose clock runs fast.
        var right = await SubmitCodeAsync(client, secondStep, Code(key, 30));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/account/apps", right.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account")).StatusCode);

        await using var db = factory.CreateDbContext();
        var events = await db.AuditEvents.Where(row => row.ActorName == customer.Email).OrderBy(row => row.Id)
            .Select(row => new { row.Action, row.Details }).ToListAsync();
        Assert.Contains(events, row => row.Action == "two_factor.enabled");
        Assert.Contains(events, row => row.Action == "login.failed" && row.Details == "wrong authenticator code");
        Assert.Equal("authenticator app", events.Last(row => row.Action == "login.succeeded").Details);
    }

    [Fact]
    public async Task Authenticator_WrongEnrolmentCode_LeavesTwoFactorOff()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await LoginTests.LoginAsync(client, customer.Email, customer.Password);
        var page = await client.GetStringAsync("/account/security/authenticator");
        var key = Key(page);

        var response = await PageForms.SubmitAsync(client, page, new Uri(client.BaseAddress!, "/account/security/authenticator"),
            "authenticator-form", new Dictionary<string, string> { ["Input.Code"] = WrongCode(key) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The code is not valid.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.Users.Where(row => row.Email == customer.Email).Select(row => row.TwoFactorEnabled).SingleAsync());
    }

    [Fact]
    public async Task RecoveryCode_SignsInOnce()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await LoginTests.LoginAsync(client, customer.Email, customer.Password);
        var enrolled = await PageForms.SubmitAsync(client, "/account/security/authenticator", "authenticator-form",
            new Dictionary<string, string> { ["Input.Code"] = Code(Key(await client.GetStringAsync("/account/security/authenticator")), 0) });
        var recoveryCode = HtmlForm.ElementText(await enrolled.Content.ReadAsStringAsync(), "recovery-codes")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        await SignOutAsync(client);

        var first = await SignInWithRecoveryCodeAsync(client, customer.Email, customer.Password, recoveryCode);
        await SignOutAsync(client);
        var second = await SignInWithRecoveryCodeAsync(client, customer.Email, customer.Password, recoveryCode);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/account", first.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("The recovery code is not valid or was already used.", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondStep_WithoutPassword_GoesBackToLogin()
    {
        var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/Identity/Account/LoginWith2fa");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static async Task<string> EnrolAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/account/security/authenticator");
        var key = Key(page);
        Assert.Contains("<svg", page, StringComparison.Ordinal);

        var enrolled = await PageForms.SubmitAsync(client, page, new Uri(client.BaseAddress!, "/account/security/authenticator"),
            "authenticator-form", new Dictionary<string, string> { ["Input.Code"] = Code(key, 0) });
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        var html = await enrolled.Content.ReadAsStringAsync();
        Assert.Equal("Two-factor authentication is on.", HtmlForm.ElementText(html, "two-factor-enabled"));
        var codes = HtmlForm.ElementText(html, "recovery-codes").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, codes.Length);

        var security = await client.GetStringAsync("/account/security");
        Assert.Equal("10", HtmlForm.ElementText(security, "recovery-codes-left"));

        return key;
    }

    private static async Task SignOutAsync(HttpClient client)
    {
        var response = await PageForms.SubmitAsync(client, "/Identity/Account/Logout", "logout-form");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private static Task<HttpResponseMessage> SubmitCodeAsync(HttpClient client, string secondStep, string code) =>
        PageForms.SubmitAsync(client, secondStep, "two-factor-form", new Dictionary<string, string> { ["Input.Code"] = code });

    private static async Task<HttpResponseMessage> SignInWithRecoveryCodeAsync(
        HttpClient client, string email, string password, string recoveryCode)
    {
        var login = await LoginTests.LoginAsync(client, email, password);
        Assert.StartsWith("/Identity/Account/LoginWith2fa", login.Headers.Location!.OriginalString, StringComparison.Ordinal);

        return await PageForms.SubmitAsync(client, "/Identity/Account/LoginWithRecoveryCode", "recovery-form",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = recoveryCode });
    }

    // The page shows the base32 key in lower-case groups of four, as authenticator apps accept it.
    private static string Key(string page) =>
        HtmlForm.ElementText(page, "authenticator-key").Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static string Code(string key, int secondsAhead) =>
        new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTime.UtcNow.AddSeconds(secondsAhead));

    // A code that differs from every code Identity accepts around now (it allows a few steps either way).
    private static string WrongCode(string key)
    {
        var accepted = Enumerable.Range(-3, 7).Select(step => Code(key, step * 30)).ToHashSet();
        return Enumerable.Range(0, 1000).Select(value => value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
            .First(candidate => !accepted.Contains(candidate));
    }
}
