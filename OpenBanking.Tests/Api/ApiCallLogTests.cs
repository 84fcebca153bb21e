using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Api;

namespace OpenBanking.Tests.Api;

/// <summary>The API call log: one row per call, written in batches in the background.</summary>
public sealed class ApiCallLogTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task BalanceAndTransfer_AreLoggedWithTheirFields()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(1_000m);
        var tokens = await flow.GetTokensAsync("read payments", email, password);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.TransferAsync(tokens.AccessToken, """{"amount": 250.75}""")).StatusCode);
        await factory.Services.GetRequiredService<ApiCallRecorder>().FlushAsync();

        await using var db = factory.CreateDbContext();
        var calls = await db.ApiCalls.Where(call => call.CustomerId == account.OwnerId).OrderBy(call => call.Id).ToListAsync();
        Assert.Equal(2, calls.Count);

        var read = calls[0];
        Assert.Equal(ApiOperations.BalanceRead, read.Operation);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal(OAuthFlow.DemoClientId, read.ClientId);
        Assert.NotNull(read.TokenId);
        Assert.NotNull(read.AuthorizationId);
        Assert.Null(read.Amount);
        Assert.Null(read.TransferId);
        Assert.InRange(read.OccurredAt, before, DateTimeOffset.UtcNow.AddSeconds(1));

        var transfer = calls[1];
        Assert.Equal(ApiOperations.Transfer, transfer.Operation);
        Assert.Equal(200, transfer.StatusCode);
        Assert.Equal(250.75m, transfer.Amount);
        Assert.NotNull(transfer.TransferId);
        Assert.Equal(read.TokenId, transfer.TokenId);
    }
}
