using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>Registers extra confidential clients with the authorization code flow and PKCE.</summary>
public static class TestClients
{
    public const string Secret = "test-client-secret-0123456789abcdef";

    public static async Task RegisterAsync(
        OpenBankingFactory factory, string clientId, string displayName, string redirectUri,
        IEnumerable<string> scopes, string? homePage = null, string? settlementAccount = null)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = Secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = displayName,
            RedirectUris = { new Uri(redirectUri) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var scope in scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        if (homePage is not null)
        {
            descriptor.Properties["home_page"] = JsonSerializer.SerializeToElement(homePage);
        }

        if (settlementAccount is not null)
        {
            descriptor.Properties["settlement_account"] = JsonSerializer.SerializeToElement(settlementAccount);
        }

        await using var serviceScope = factory.Services.CreateAsyncScope();
        await serviceScope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(descriptor);
    }
}
