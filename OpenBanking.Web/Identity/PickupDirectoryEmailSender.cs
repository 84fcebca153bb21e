using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Identity;

/// <summary>
/// Sends the account emails (password reset) by writing each one as an <c>.eml</c> file into
/// <see cref="EmailSettings.PickupDirectory"/>. Without a pickup directory nothing is sent and
/// the attempt is logged, without the link, because the link carries a reset token.
/// </summary>
public sealed partial class PickupDirectoryEmailSender(
    IOptions<EmailSettings> settings,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<PickupDirectoryEmailSender> logger) : IEmailSender<BankUser>
{
    public Task SendConfirmationLinkAsync(BankUser user, string email, string confirmationLink) =>
        SendAsync(user, email, "Confirm your email",
            $"Open this link to confirm your email address for OpenBanking:\r\n\r\n{confirmationLink}\r\n");

    public Task SendPasswordResetLinkAsync(BankUser user, string email, string resetLink) =>
        SendAsync(user, email, "Reset your OpenBanking password",
            "Someone asked to reset the password of your OpenBanking login. If it was you, open this "
            + $"link within a day to choose a new password:\r\n\r\n{resetLink}\r\n\r\n"
            + "If it was not you, ignore this message: your password stays as it is.\r\n");

    public Task SendPasswordResetCodeAsync(BankUser user, string email, string resetCode) =>
        SendAsync(user, email, "Your OpenBanking password reset code",
            $"Your password reset code is: {resetCode}\r\n");

    private async Task SendAsync(BankUser user, string email, string subject, string body)
    {
        var directory = settings.Value.PickupDirectory;
        if (string.IsNullOrWhiteSpace(directory))
        {
            LogNotConfigured(logger, user.Id, subject);
            return;
        }

        var path = Path.IsPathRooted(directory) ? directory : Path.Combine(environment.ContentRootPath, directory);
        Directory.CreateDirectory(path);
        var file = Path.Combine(path, $"{clock.GetUtcNow():yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
        await File.WriteAllTextAsync(file, Compose(email, subject, body), Encoding.UTF8);
        LogWritten(logger, user.Id, subject, file);
    }

    private string Compose(string to, string subject, string body)
    {
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"From: {HeaderValue(settings.Value.From)}\r\n");
        message.Append(CultureInfo.InvariantCulture, $"To: {HeaderValue(to)}\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Subject: {HeaderValue(subject)}\r\n");
        message.Append(CultureInfo.InvariantCulture, $"Date: {clock.GetUtcNow():R}\r\n");
        message.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        message.Append(body);

        return message.ToString();
    }

    // Identity's email check accepts line breaks, which would let an address add header lines.
    private static string HeaderValue(string value) => value.ReplaceLineEndings(" ");

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information,
        Message = "Email '{Subject}' for user {UserId} written to {File}")]
    private static partial void LogWritten(ILogger logger, string userId, string subject, string file);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning,
        Message = "Email '{Subject}' for user {UserId} was not sent: set Email:PickupDirectory to deliver account emails")]
    private static partial void LogNotConfigured(ILogger logger, string userId, string subject);
}
