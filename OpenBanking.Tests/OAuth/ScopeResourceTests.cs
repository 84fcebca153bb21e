using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;

namespace OpenBanking.Tests.OAuth;

/// <summary>A scope's resources, cached for the token endpoint, follow an operator's change at once.</summary>
public sealed class ScopeResourceTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task ScopeResourceChange_ReachesNextToken()
    {
        var flow = new OAuthFlow(factory);
        var (email, password, _) = await factory.CreateCustomerAsync(10m);
        var before = await flow.GetTokensAsync("read", email, password);
        Assert.Equal(["bank-api"], await IntrospectAudiencesAsync(flow, before.AccessToken));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var scopes = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
            var read = await scopes.FindByNameAsync("read") ?? throw new InvalidOperationException("Scope 'read' not found.");
            var descriptor = new OpenIddictScopeDescriptor();
            await scopes.PopulateAsync(descriptor, read);
            descriptor.Resources.Add("statements-api");
            await scopes.UpdateAsync(read, descriptor);
        }

        var after = await flow.GetTokensAsync("read", email, password);
        Assert.Equal(["bank-api", "statements-api"], await IntrospectAudiencesAsync(flow, after.AccessToken));
    }

    private static async Task<string[]> IntrospectAudiencesAsync(OAuthFlow flow, string token)
    {
        var response = await flow.App.PostAsync("/o/introspect/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["client_id"] = OAuthFlow.DemoClientId,
            ["client_secret"] = OAuthFlow.DemoClientSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(json.GetProperty("active").GetBoolean());
        var audience = json.GetProperty("aud");
        return audience.ValueKind == JsonValueKind.Array
            ? [.. audience.EnumerateArray().Select(item => item.GetString()!).Order(StringComparer.Ordinal)]
            : [audience.GetString()!];
    }
}
