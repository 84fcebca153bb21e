using System.Net;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Identity;

/// <summary>Only the bank's own account pages are served under /Identity; the rest of the Identity UI returns 404.</summary>
public sealed class IdentityPagesTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Theory]
    [InlineData("/Identity/Account/Manage")]
    [InlineData("/Identity/Account/Manage/DeletePersonalData")]
    [InlineData("/Identity/Account/Manage/DownloadPersonalData")]
    [InlineData("/Identity/Account/ExternalLogin")]
    [InlineData("/Identity/Account/ConfirmEmailChange")]
    public async Task UnservedIdentityPage_Is404(string path)
    {
        var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task LoginPage_IsTheBanksOwn()
    {
        var client = factory.CreateBrowserlessClient();

        var response = await client.GetAsync("/Identity/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"login-submit\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
