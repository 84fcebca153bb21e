using OpenBanking.Web.OAuth;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.Seeding;

/// <summary>
/// Creates the built-in scopes in every environment: the bank API's, which grant its resource,
/// and OpenID Connect's, which operators may then register applications for. Existing scopes
/// are left as they are, so operators' wording changes survive restarts.
/// </summary>
public sealed class ScopeCatalog(IOpenIddictScopeManager scopeManager)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var scope in BankScopes.All)
        {
            await EnsureAsync(scope, BankScopes.ApiResource, cancellationToken);
        }

        foreach (var scope in BankScopes.OpenIdScopes)
        {
            await EnsureAsync(scope, resource: null, cancellationToken);
        }
    }

    private async Task EnsureAsync(BankScope scope, string? resource, CancellationToken cancellationToken)
    {
        if (await scopeManager.FindByNameAsync(scope.Name, cancellationToken) is not null)
        {
            return;
        }

        var descriptor = new OpenIddictScopeDescriptor
        {
            Name = scope.Name,
            DisplayName = scope.DisplayName,
            Description = scope.Description,
        };
        if (resource is not null)
        {
            descriptor.Resources.Add(resource);
        }

        await scopeManager.CreateAsync(descriptor, cancellationToken);
    }
}
