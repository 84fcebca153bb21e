using System.Net;
using System.Text.RegularExpressions;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Identity;

/// <summary>Password reset through the emailed link, read from the pickup directory.</summary>
public sealed partial class PasswordResetTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string NewPassword = "a brand new password";

    [Fact]
    public async Task ResetPassword_WithEmailedLink_ChangesPassword()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();

        var requested = await RequestResetAsync(client, customer.Email);
        var link = await ReadResetLinkAsync(customer.Email);
        var reset = await ResetAsync(client, link, NewPassword);

        Assert.Equal("/Identity/Account/ForgotPasswordConfirmation", requested.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal("/Identity/Account/ResetPasswordConfirmation", reset.Headers.Location!.OriginalString);
        var oldLogin = await LoginTests.LoginAsync(factory.CreateBrowserlessClient(), customer.Email, customer.Password);
        Assert.Equal(HttpStatusCode.OK, oldLogin.StatusCode);
        var newLogin = await LoginTests.LoginAsync(factory.CreateBrowserlessClient(), customer.Email, NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, newLogin.StatusCode);
    }

    [Fact]
    public async Task ResetPassword_LinkUsedTwice_IsRejected()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await RequestResetAsync(client, customer.Email);
        var link = await ReadResetLinkAsync(customer.Email);
        await ResetAsync(client, link, NewPassword);

        var again = await ResetAsync(client, link, "yet another new password");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("This reset link is invalid or has expired.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetPassword_ChangedCode_IsRejected()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        var client = factory.CreateBrowserlessClient();
        await RequestResetAsync(client, customer.Email);
        var link = await ReadResetLinkAsync(customer.Email);
        var forged = CodeParameter().Replace(link, "code=Zm9yZ2VkLXRva2Vu");

        var response = await ResetAsync(client, forged, NewPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This reset link is invalid or has expired.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var login = await LoginTests.LoginAsync(factory.CreateBrowserlessClient(), customer.Email, customer.Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
    }

    [Fact]
    public async Task ForgotPassword_UnknownEmail_SendsNothing()
    {
        var email = $"nobody-{Guid.NewGuid():N}@bank.test";
        var client = factory.CreateBrowserlessClient();

        var response = await RequestResetAsync(client, email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Identity/Account/ForgotPasswordConfirmation", response.Headers.Location!.OriginalString);
        var mails = Directory.Exists(factory.MailDirectory) ? Directory.GetFiles(factory.MailDirectory) : [];
        Assert.DoesNotContain(mails, file => File.ReadAllText(file).Contains(email, StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> RequestResetAsync(HttpClient client, string email) =>
        PageForms.SubmitAsync(client, "/Identity/Account/ForgotPassword", "forgot-form",
            new Dictionary<string, string> { ["Input.Email"] = email });

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, string link, string password) =>
        PageForms.SubmitAsync(client, new Uri(link).PathAndQuery, "reset-form", new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    private async Task<string> ReadResetLinkAsync(string email)
    {
        var message = Directory.GetFiles(factory.MailDirectory, "*.eml")
            .Select(File.ReadAllText)
            .Single(text => text.Contains($"To: {email}", StringComparison.Ordinal));
        Assert.Contains("Subject: Reset your OpenBanking password", message, StringComparison.Ordinal);
        var link = ResetLink().Match(message);
        Assert.True(link.Success, "The message holds no reset link.");

        return await Task.FromResult(System.Net.WebUtility.HtmlDecode(link.Value));
    }

    [GeneratedRegex(@"http://\S+/Identity/Account/ResetPassword\?\S+")]
    private static partial Regex ResetLink();

    [GeneratedRegex("code=[^&]+")]
    private static partial Regex CodeParameter();
}
