namespace OpenBanking.Web.Audit;

/// <summary>The action names written to <see cref="AuditEvent.Action"/>.</summary>
public static class AuditActions
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string SignedOut = "login.signed_out";
    public const string CustomerRegistered = "customer.registered";
    public const string PasswordResetRequested = "password.reset_requested";
    public const string PasswordReset = "password.reset";
    public const string PasswordChanged = "password.changed";
    public const string TwoFactorEnabled = "two_factor.enabled";
    public const string TwoFactorDisabled = "two_factor.disabled";
    public const string RecoveryCodesGenerated = "two_factor.recovery_codes_generated";
    public const string ConsentGranted = "consent.granted";
    public const string ConsentDenied = "consent.denied";

    /// <summary>A consent form whose fields no longer match the request it was shown for.</summary>
    public const string ConsentRejected = "consent.rejected";
    public const string ConsentRevoked = "consent.revoked";
    public const string TokenRevoked = "token.revoked";
    public const string ClientAuthenticationFailed = "client.authentication_failed";
    public const string AuthorizationCodeReplayed = "token.code_replayed";
    public const string RefreshTokenReused = "token.refresh_reused";
    public const string RateLimited = "request.rate_limited";
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
        LoginSucceeded, LoginFailed, LockedOut, SignedOut, CustomerRegistered, PasswordResetRequested, PasswordReset,
        PasswordChanged, TwoFactorEnabled, TwoFactorDisabled, RecoveryCodesGenerated, ConsentGranted, ConsentDenied,
        ConsentRejected, ConsentRevoked, TokenRevoked, ClientAuthenticationFailed, AuthorizationCodeReplayed,
        RefreshTokenReused, RateLimited, TokenIssued, TokenRequestFailed, ApplicationCreated, ApplicationUpdated,
        ApplicationDeleted, ApplicationSecretRotated, ScopeCreated, ScopeUpdated, ScopeDeleted, UserLocked,
        UserUnlocked, AdminRoleGranted, AdminRoleRemoved,
    ];
}
