using Microsoft.Extensions.Primitives;
using OpenBanking.Web.Data;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.OAuth;

/// <summary>What the consent page shows: the requesting application, the shared account, and the scopes.</summary>
public sealed record ConsentViewModel(
    string ApplicationName,
    Uri? HomePage,
    string ClientId,
    string CustomerName,
    ConsentAccount? Account,
    IReadOnlyList<BankScope> Scopes,
    IReadOnlyList<KeyValuePair<string, string>> RequestParameters,
    string FormBinding);

/// <summary>The customer's account that the application will reach.</summary>
public sealed record ConsentAccount(string Name, string Number);

/// <summary>Builds <see cref="ConsentViewModel"/> from the request, the application and the scope store.</summary>
public sealed class ConsentViewModelFactory(
    IOpenIddictApplicationManager applicationManager,
    ScopeDescriptions scopeDescriptions,
    ConsentFormBinding formBinding,
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
        var parameters = GetRequestParameters();

        return new ConsentViewModel(
            ApplicationName: await applicationManager.GetLocalizedDisplayNameAsync(application, cancellationToken)
                ?? request.ClientId ?? string.Empty,
            HomePage: await applicationManager.GetHomePageAsync(application, cancellationToken),
            ClientId: request.ClientId ?? string.Empty,
            CustomerName: user.DisplayName ?? user.UserName ?? user.Id,
            Account: account is null ? null : new ConsentAccount(account.Name, account.Number),
            Scopes: await scopeDescriptions.DescribeAllAsync(requestedScopes, cancellationToken),
            RequestParameters: parameters,
            FormBinding: formBinding.Create(user.Id, request, requestedScopes, parameters.Select(parameter => parameter.Key)));
    }

    // The form posts back the parameters of the request as it reached this page. With request
    // caching these are only client_id and request_uri; the rest stays on the server.
    private List<KeyValuePair<string, string>> GetRequestParameters()
    {
        var request = httpContextAccessor.HttpContext?.Request
            ?? throw new InvalidOperationException("The consent page is built outside an HTTP request.");
        IEnumerable<KeyValuePair<string, StringValues>> source = request.HasFormContentType ? request.Form : request.Query;

        return [.. source
            .Where(parameter => ConsentFormBinding.IsRequestParameter(parameter.Key))
            .SelectMany(parameter => parameter.Value.Select(value => KeyValuePair.Create(parameter.Key, value ?? string.Empty)))];
    }
}
