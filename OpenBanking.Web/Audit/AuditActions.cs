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
}
