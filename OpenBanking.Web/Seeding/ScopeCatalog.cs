using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.Seeding;

/// <summary>
/// Creates the bank API's scopes in every environment, because the API cannot work without
/// them. Existing scopes are left as they are, so operators' wording changes survive restarts.
/// </summary>
public sealed class ScopeCatalog(IOpenIddictScopeManager scopeManager)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var scope in BankScopes.All)
        {
            if (await scopeManager.FindByNameAsync(scope.Name, cancellationToken) is not null)
            {
                continue;
            }

            await scopeManager.CreateAsync(
                new OpenIddictScopeDescriptor
                {
                    Name = scope.Name,
                    DisplayName = scope.DisplayName,
                    Description = scope.Description,
                    Resources = { BankScopes.ApiResource },
                },
                cancellationToken);
        }
    }
}
