using System.Text.Json;
using OpenBanking.Web.Ledger;
using OpenIddict.Abstractions;

namespace OpenBanking.Web.Api;

/// <summary>
/// Resolves the account that receives an application's payments when the customer names no
/// payee. The account number is stored in the application's <c>settlement_account</c> property.
/// </summary>
public sealed class SettlementAccounts(IOpenIddictApplicationManager applicationManager, LedgerService ledger)
{
    /// <summary>Property of an OpenIddict application that contains its settlement account number.</summary>
    public const string PropertyName = "settlement_account";

    public async Task<Account?> FindForClientAsync(string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId)
            || await applicationManager.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return null;
        }

        var properties = await applicationManager.GetPropertiesAsync(application, cancellationToken);
        if (!properties.TryGetValue(PropertyName, out var number)
            || number.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return await ledger.FindAccountByNumberAsync(number.GetString()!, cancellationToken);
    }
}
