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

    /// <summary>
    /// OpenID Connect scopes, with the words the consent page shows. An application gets them only
    /// when it is registered for them, like any other scope; they grant no API resource.
    /// </summary>
    public static IReadOnlyList<BankScope> OpenIdScopes { get; } =
    [
        new(Scopes.OpenId, "Confirm who you are", "Tell the application that it is you who signed in.", MovesMoney: false),
        new(Scopes.Profile, "Your name", "Share the name on your login.", MovesMoney: false),
        new(Scopes.Email, "Your email address", "Share the email address of your login.", MovesMoney: false),
    ];

    /// <summary>Finds a built-in scope, of the bank API or of OpenID Connect, by name.</summary>
    public static BankScope? Find(string name) =>
        All.FirstOrDefault(scope => scope.Name == name) ?? OpenIdScopes.FirstOrDefault(scope => scope.Name == name);
}

/// <summary>A scope's name and the wording shown to customers.</summary>
public sealed record BankScope(string Name, string DisplayName, string Description, bool MovesMoney);
