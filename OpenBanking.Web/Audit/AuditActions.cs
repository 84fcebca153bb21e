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
}
