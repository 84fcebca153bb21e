using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// The scopes of the bank API and the resource server they grant access to.
/// </summary>
public static class BankScopes
{
    public const string Read = "read";

    public const string Write = "write";

    public const string Payments = "payments";

    /// <summary>Audience of every access token for the bank API.</summary>
    public const string ApiResource = "bank-api";

    /// <summary>Built-in scopes with the words the consent page shows for each.</summary>
    public static IReadOnlyList<BankScope> All { get; } =
    [
        new(Read, "Read your data", "See your account balance and details.", MovesMoney: false),
        new(Write, "Modify your data", "Change your account details. This never moves money.", MovesMoney: false),
        new(Payments, "Initiate payments", "Move money out of your account.", MovesMoney: true),
    ];

    /// <summary>OpenID Connect scopes the server also accepts when an application is allowed them.</summary>
    public static IReadOnlyList<string> OpenIdScopes { get; } = [Scopes.OpenId, Scopes.Profile, Scopes.Email];
}

/// <summary>A scope's name and the wording shown to customers.</summary>
public sealed record BankScope(string Name, string DisplayName, string Description, bool MovesMoney);
