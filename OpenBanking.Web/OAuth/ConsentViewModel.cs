using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>What the consent page shows: who asks, for which account, and for what.</summary>
public sealed record ConsentViewModel(
    string ApplicationName,
    string ClientId,
    string CustomerName,
    string? AccountNumber,
    IReadOnlyList<BankScope> Scopes,
    IReadOnlyList<KeyValuePair<string, string>> RequestParameters);

/// <summary>Builds <see cref="ConsentViewModel"/> from the request, the application and the scope store.</summary>
public sealed class ConsentViewModelFactory(
    IOpenIddictApplicationManager applicationManager,
    IOpenIddictScopeManager scopeManager,
    LedgerService ledger,
    IHttpContextAccessor httpContextAccessor)
{
    public async Task<ConsentViewModel> CreateAsync(
        BankUser user,
        object application,
        OpenIddictRequest request,
        IReadOnlyList<string> requestedScopes,
        CancellationToken cancellationToken)
    {
        var account = await ledger.FindCustomerAccountAsync(user.Id, cancellationToken);
        var scopes = new List<BankScope>();
        foreach (var name in requestedScopes)
        {
            scopes.Add(await DescribeScopeAsync(name, cancellationToken));
        }

        return new ConsentViewModel(
            ApplicationName: await applicationManager.GetLocalizedDisplayNameAsync(application, cancellationToken)
                ?? request.ClientId ?? string.Empty,
            ClientId: request.ClientId ?? string.Empty,
            CustomerName: user.DisplayName ?? user.UserName ?? user.Id,
            AccountNumber: account?.Number,
            Scopes: scopes,
            RequestParameters: GetRequestParameters());
    }

    private async Task<BankScope> DescribeScopeAsync(string name, CancellationToken cancellationToken)
    {
        var builtIn = BankScopes.All.FirstOrDefault(scope => scope.Name == name);
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

    // The form posts back the parameters of the request as it reached this page. With request
    // caching these are only client_id and request_uri; the rest stays on the server.
    private List<KeyValuePair<string, string>> GetRequestParameters()
    {
        var request = httpContextAccessor.HttpContext?.Request
            ?? throw new InvalidOperationException("The consent page is built outside an HTTP request.");
        IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> source =
            request.HasFormContentType ? request.Form : request.Query;

        return [.. source
            .Where(parameter => !parameter.Key.StartsWith("submit.", StringComparison.Ordinal)
                && parameter.Key is not "__RequestVerificationToken" and not "granted_scope")
            .SelectMany(parameter => parameter.Value.Select(value => KeyValuePair.Create(parameter.Key, value ?? string.Empty)))];
    }
}
