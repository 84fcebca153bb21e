using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Api;

/// <summary>GET /api/balance/ and its 401 responses to missing, malformed and expired tokens.</summary>
public sealed class BearerTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task NoToken_Is401WithBareBearerChallenge()
    {
        var response = await new OAuthFlow(factory).GetBalanceAsync(accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error=", challenge.Parameter ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")]
    public async Task MalformedToken_Is401InvalidToken(string token)
    {
        var response = await new OAuthFlow(factory).GetBalanceAsync(token);

        AssertInvalidToken(response);
    }

    [Fact]
    public async Task ExpiredToken_Is401InvalidToken()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, _) = await factory.CreateCustomerAsync(10m);
        var tokens = await flow.GetTokensAsync("read", email, password);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);

        factory.Clock.Advance(TimeSpan.FromSeconds(3600 + 120));
        try
        {
            AssertInvalidToken(await flow.GetBalanceAsync(tokens.AccessToken));
        }
        finally
        {
            factory.Clock.Advance(-TimeSpan.FromSeconds(3600 + 120));
        }
    }

    [Fact]
    public async Task Balance_FormatsIndianGroupingAndPaise()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(1_234_567.5m);
        var tokens = await flow.GetTokensAsync("read", email, password);

        var response = await flow.GetBalanceAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("₹12,34,567.50", json.GetProperty("balance").GetString());
        Assert.Equal("INR", json.GetProperty("currency").GetString());
        Assert.Equal("1234567.50", json.GetProperty("amount").GetString());
        Assert.Equal(account.Number, json.GetProperty("account_number").GetString());
    }

    [Fact]
    public async Task Balance_AfterLedgerChange_IsCurrent()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(100m);
        var tokens = await flow.GetTokensAsync("read", email, password);
        Assert.Equal("₹100", await ReadBalanceAsync(flow, tokens.AccessToken));

        // A posting made outside the API, by the bank, shows on the next read.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OpenBanking.Web.Ledger.AccountService>()
                .FundAsync(account, 50.25m, "Test deposit", CancellationToken.None);
        }

        Assert.Equal("₹150.25", await ReadBalanceAsync(flow, tokens.AccessToken));
    }

    private static async Task<string?> ReadBalanceAsync(OAuthFlow flow, string accessToken)
    {
        var response = await flow.GetBalanceAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("balance").GetString();
    }

    private static void AssertInvalidToken(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
    }
}
