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
        var events = factory.Services.GetRequiredService<SecurityEvents>();
        await events.RecordLoginFailedAsync(null, "nobody@bank.test");
        await events.RecordLoginFailedAsync("some-user", "someone@bank.test");
        await events.RecordLockedOutAsync("some-user", "someone@bank.test");

        await using var session = await PortalSession.OpenAsync(factory);
        var activity = await session.Get<DashboardService>().GetActivityAsync(daily: false, CancellationToken.None);

        Assert.Equal(2, activity.Series[DashboardService.FailedLogins][^1]);
        Assert.Equal(24, activity.Labels.Count);
        await using var db = factory.CreateDbContext();
        var failed = await db.AuditEvents.Where(e => e.Action == AuditActions.LoginFailed).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal("Sign-in with an unknown email.", failed[0].Details);
        Assert.Equal("nobody@bank.test", failed[0].ActorName);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.LockedOut));
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
}
