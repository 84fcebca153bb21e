using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Finds the words shown to customers for a scope: the scope store's display name and
/// description when an operator set them, else the built-in wording of <see cref="BankScopes"/>.
/// </summary>
public sealed class ScopeDescriptions(IOpenIddictScopeManager scopeManager)
{
    public async Task<BankScope> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        var builtIn = BankScopes.Find(name);
        var stored = await scopeManager.FindByNameAsync(name, cancellationToken);
        if (stored is null)
        {
            return builtIn ?? new BankScope(name, name, name, MovesMoney: false);
        }

        return new BankScope(
            name,
            await scopeManager.GetLocalizedDisplayNameAsync(stored, cancellationToken) ?? builtIn?.DisplayName ?? name,
            await scopeManager.GetLocalizedDescriptionAsync(stored, cancellationToken) ?? builtIn?.Description ?? name,
            builtIn?.MovesMoney ?? false);
    }

    public async Task<IReadOnlyList<BankScope>> DescribeAllAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var scopes = new List<BankScope>();
        foreach (var name in names)
        {
            scopes.Add(await DescribeAsync(name, cancellationToken));
        }

        return scopes;
    }
}
