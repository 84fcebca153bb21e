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
    public const string ClientAuthenticationFailed = "client.authentication_failed";
    public const string AuthorizationCodeReplayed = "token.code_replayed";
    public const string RefreshTokenReused = "token.refresh_reused";
    public const string RateLimited = "request.rate_limited";
}
