using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Admin.AuditTrail;
using OpenBanking.Web.Admin.Dashboard;
using OpenBanking.Web.Audit;

namespace OpenBanking.Tests.Admin;

public sealed class SecurityEventsTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task LoginFailed_CountedOnDashboardChart()
    {
        var (email, _, _) = await factory.CreateCustomerAsync(0m);
        await FailLoginAsync("nobody@bank.test");
        await FailLoginAsync(email);

        await using var session = await PortalSession.OpenAsync(factory);
        var activity = await session.Get<DashboardService>().GetActivityAsync(daily: false, CancellationToken.None);

        Assert.Equal(2, activity.Series[DashboardService.FailedLogins][^1]);
        Assert.Equal(24, activity.Labels.Count);
        await using var db = factory.CreateDbContext();
        var failed = await db.AuditEvents.Where(e => e.Action == AuditActions.LoginFailed).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(2, failed.Count);
        Assert.Equal("nobody@bank.test", failed[0].ActorName);
        Assert.Null(failed[0].ActorId);
        Assert.Equal(email, failed[1].ActorName);
        Assert.NotNull(failed[1].ActorId);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-2", "'-2")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData(null, "")]
    public void AuditCsvEscape_QuotesAndDefusesFormulas(string? value, string expected) =>
        Assert.Equal(expected, AuditQueryService.Escape(value));

    private async Task FailLoginAsync(string email)
    {
        var browser = factory.CreateBrowserlessClient();
        var page = await browser.GetStringAsync("/Identity/Account/Login");
        var response = await browser.PostAsync("/Identity/Account/Login", new FormUrlEncodedContent(
        [
            KeyValuePair.Create("Input.Email", email),
            KeyValuePair.Create("Input.Password", "wrong-password-123"),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(page)),
        ]));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
