namespace OpenBanking.Web.Audit;

/// <summary>The action names written to <see cref="AuditEvent.Action"/>.</summary>
public static class AuditActions
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string ConsentGranted = "consent.granted";
    public const string ConsentRevoked = "consent.revoked";
    public const string TokenRevoked = "token.revoked";
    public const string TokenIssued = "token.issued";
    public const string TokenRequestFailed = "token.request_failed";
    public const string ApplicationCreated = "application.created";
    public const string ApplicationUpdated = "application.updated";
    public const string ApplicationDeleted = "application.deleted";
    public const string ApplicationSecretRotated = "application.secret_rotated";
    public const string ScopeCreated = "scope.created";
    public const string ScopeUpdated = "scope.updated";
    public const string ScopeDeleted = "scope.deleted";
    public const string UserLocked = "user.locked";
    public const string UserUnlocked = "user.unlocked";
    public const string AdminRoleGranted = "user.admin_granted";
    public const string AdminRoleRemoved = "user.admin_removed";

    /// <summary>Every action name, for the audit log's filter.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        LoginSucceeded, LoginFailed, LockedOut, ConsentGranted, ConsentRevoked, TokenRevoked, TokenIssued,
        TokenRequestFailed, ApplicationCreated, ApplicationUpdated, ApplicationDeleted, ApplicationSecretRotated,
        ScopeCreated, ScopeUpdated, ScopeDeleted, UserLocked, UserUnlocked, AdminRoleGranted, AdminRoleRemoved,
    ];
}
