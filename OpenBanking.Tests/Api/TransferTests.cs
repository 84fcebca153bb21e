using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Api;

/// <summary>POST /api/transfer/: validation, insufficient funds, payees and concurrency.</summary>
public sealed class TransferTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        { "{}", "amount", "The amount is required." },
        { """{"amount": 0}""", "amount", "The amount must be greater than zero." },
        { """{"amount": -5}""", "amount", "The amount must be greater than zero." },
        { """{"amount": "5000"}""", "amount", "The amount must be a JSON number" },
        { """{"amount": "abc"}""", "amount", "The amount must be a JSON number" },
        { """{"amount": true}""", "amount", "The amount must be a JSON number" },
        { """{"amount": null}""", "amount", "The amount must be a JSON number" },
        { """{"amount": 10.001}""", "amount", "at most two decimal places" },
        { """{"amount": 1e-3}""", "amount", "at most two decimal places" },
        { """{"amount": 1e400}""", "amount", "The amount is too large." },
        { """{"amount": 5, "amount": 6}""", "amount", "must appear only once" },
        { """{"amount": 5""", "body", "not valid JSON" },
        { "not json", "body", "not valid JSON" },
        { "[5000]", "body", "must be a JSON object" },
        { """{"amount": 5, "payee_account": ""}""", "payee_account", "non-empty string" },
        { """{"amount": 5, "payee_account": 12}""", "payee_account", "non-empty string" },
        { """{"amount": 5, "currency": "USD"}""", "currency", "Only INR is supported" },
        { """{"amount": 5, "memo": "rent"}""", "memo", "is not recognised" },
    };

    [Fact]
    public async Task InvalidUtf8_IsBadRequestAndMovesNothing()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);
        var content = new ByteArrayContent([.. "{\"amount\": 1, \"payee_account\": \""u8, 0xFF, .. "\"}"u8]);
        content.Headers.ContentType = new("application/json");

        var response = await flow.SendApiAsync(HttpMethod.Post, "/api/transfer/", tokens.AccessToken, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("UTF-8", problem.GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task NonJsonContentType_IsUnsupportedMediaType(string? contentType)
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);
        var content = new ByteArrayContent("{\"amount\": 1}"u8.ToArray());
        if (contentType is not null)
        {
            content.Headers.ContentType = new(contentType);
        }

        var response = await flow.SendApiAsync(HttpMethod.Post, "/api/transfer/", tokens.AccessToken, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidBody_IsProblemNamingFieldAndMovesNothing(string body, string field, string message)
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);

        var response = await flow.TransferAsync(tokens.AccessToken, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors").GetProperty(field);
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Fact]
    public async Task FormBody_IsUnsupportedMediaType()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);

        var response = await flow.SendApiAsync(HttpMethod.Post, "/api/transfer/", tokens.AccessToken,
            new FormUrlEncodedContent([KeyValuePair.Create("amount", "5")]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Fact]
    public async Task AmountAboveBalance_Is422AndMovesNothing()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);

        var response = await flow.TransferAsync(tokens.AccessToken, """{"amount": 1000.01}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Insufficient funds", problem.GetProperty("title").GetString());
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Fact]
    public async Task WholeBalance_CanBeTransferred()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);

        var response = await flow.TransferAsync(tokens.AccessToken, """{"amount": 999.50}""");
        var rest = await flow.TransferAsync(tokens.AccessToken, """{"amount": 0.50}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("₹999.50 transferred successfully!", json.GetProperty("message").GetString());
        Assert.Equal("999.50", json.GetProperty("amount").GetString());
        Assert.Equal(0m, await factory.SumPostingsAsync(accountId));
        var balance = JsonDocument.Parse(await (await flow.GetBalanceAsync(tokens.AccessToken)).Content.ReadAsStringAsync());
        Assert.Equal("₹0", balance.RootElement.GetProperty("balance").GetString());
    }

    [Fact]
    public async Task NamedPayee_IsCreditedExactly()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);
        var (_, _, payee) = await factory.CreateCustomerAsync(0m);

        var response = await flow.TransferAsync(tokens.AccessToken, $$"""{"amount": 250.25, "payee_account": "{{payee.Number}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(payee.Number, json.GetProperty("payee_account").GetString());
        Assert.Equal(749.75m, await factory.SumPostingsAsync(accountId));
        Assert.Equal(250.25m, await factory.SumPostingsAsync(payee.Id));
    }

    [Fact]
    public async Task UnknownPayee_Is422AndMovesNothing()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(1_000m);

        var response = await flow.TransferAsync(tokens.AccessToken, """{"amount": 5, "payee_account": "000000000000"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(accountId));
    }

    [Fact]
    public async Task ConcurrentTransfers_NeverOverdraw()
    {
        var (flow, tokens, accountId) = await NewCustomerWithTokensAsync(10_000m);

        // 20 transfers of 700 ask for 14,000 of a 10,000 balance: at most 14 can succeed.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => flow.TransferAsync(tokens.AccessToken, """{"amount": 700}""")));

        var posted = responses.Count(response => response.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, response => Assert.Contains(response.StatusCode,
            new[] { HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity }));
        Assert.Equal(14, posted);
        var balance = await factory.SumPostingsAsync(accountId);
        Assert.Equal(10_000m - (posted * 700m), balance);
        Assert.True(balance >= 0m);
        await AssertLedgerBalancedAsync(accountId, balance);
    }

    [Fact]
    public async Task TransferWithoutPaymentsScope_Is403InsufficientScope()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(1_000m);
        var tokens = await flow.GetTokensAsync(scope: "read", email, password);

        var response = await flow.TransferAsync(tokens.AccessToken, """{"amount": 5}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"payments\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal(1_000m, await factory.SumPostingsAsync(account.Id));
    }

    private async Task<(OAuthFlow Flow, TokenSet Tokens, long AccountId)> NewCustomerWithTokensAsync(decimal balance)
    {
        var flow = new OAuthFlow(factory);
        var (email, password, account) = await factory.CreateCustomerAsync(balance);
        var tokens = await flow.GetTokensAsync(scope: "read payments", email, password);
        return (flow, tokens, account.Id);
    }

    // Every posting's running balance equals the sum of the postings up to it.
    private async Task AssertLedgerBalancedAsync(long accountId, decimal expectedBalance)
    {
        await using var db = factory.CreateDbContext();
        var postings = await db.Postings.Where(posting => posting.AccountId == accountId)
            .OrderBy(posting => posting.Id).ToListAsync();
        var running = 0m;
        foreach (var posting in postings)
        {
            running += posting.Amount;
            Assert.Equal(running, posting.BalanceAfter);
        }

        Assert.Equal(expectedBalance, running);
        var total = (await db.Postings.Select(posting => posting.Amount).ToListAsync()).Sum();
        Assert.Equal(0m, total);
    }
}
