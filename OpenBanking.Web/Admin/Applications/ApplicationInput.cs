using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Admin.Applications;

/// <summary>The fields of the application form, as the operator edits them.</summary>
public sealed class ApplicationInput
{
    public string ClientId { get; set; } = string.Empty;

    public string DisplayName { get; set; } = string.Empty;

    /// <summary><c>confidential</c> or <c>public</c>.</summary>
    public string ClientType { get; set; } = ClientTypes.Confidential;

    /// <summary>Allowed grant types, from <see cref="ApplicationRules.SupportedGrantTypes"/>.</summary>
    public HashSet<string> GrantTypes { get; set; } = [OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.AuthorizationCode,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.RefreshToken];

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    public HashSet<string> Scopes { get; set; } = [];

    /// <summary>OpenIddict consent type: explicit, implicit, external or systematic.</summary>
    public string ConsentType { get; set; } = ConsentTypes.Explicit;

    /// <summary>Number of the settlement account that receives payments with no named payee, or null.</summary>
    public string? SettlementAccount { get; set; }

    public bool Enabled { get; set; } = true;

    public ApplicationInput Clone() => new()
    {
        ClientId = ClientId,
        DisplayName = DisplayName,
        ClientType = ClientType,
        GrantTypes = [.. GrantTypes],
        RedirectUris = [.. RedirectUris],
        PostLogoutRedirectUris = [.. PostLogoutRedirectUris],
        Scopes = [.. Scopes],
        ConsentType = ConsentType,
        SettlementAccount = SettlementAccount,
        Enabled = Enabled,
    };
}
