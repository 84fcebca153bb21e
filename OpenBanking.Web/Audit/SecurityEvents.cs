namespace OpenBanking.Web.Audit;

/// <summary>
/// Records the security events of sign-in and consent in the audit log, for the login and
/// consent pages to call. The dashboard's failed-login chart counts <see cref="AuditActions.LoginFailed"/>.
/// </summary>
public sealed class SecurityEvents(AuditLog auditLog)
{
    public Task RecordLoginSucceededAsync(string userId, string email, CancellationToken cancellationToken = default) =>
        RecordAsync(AuditActions.LoginSucceeded, userId, email, "Signed in.", cancellationToken);

    /// <summary>Records a rejected password; <paramref name="userId"/> is null when no account has the email.</summary>
    public Task RecordLoginFailedAsync(string? userId, string email, CancellationToken cancellationToken = default) =>
        RecordAsync(AuditActions.LoginFailed, userId, email,
            userId is null ? "Sign-in with an unknown email." : "Sign-in with a wrong password.", cancellationToken);

    public Task RecordLockedOutAsync(string? userId, string email, CancellationToken cancellationToken = default) =>
        RecordAsync(AuditActions.LockedOut, userId, email, "Account locked out after repeated failed sign-ins.", cancellationToken);

    /// <summary>Records a customer's consent, the permanent authorization <paramref name="authorizationId"/>.</summary>
    public Task RecordConsentGrantedAsync(
        string customerId, string? clientId, string? authorizationId, string scopes, CancellationToken cancellationToken = default) =>
        auditLog.RecordAsync(
            new AuditEvent
            {
                Action = AuditActions.ConsentGranted,
                ActorId = customerId,
                SubjectType = "authorization",
                SubjectId = authorizationId,
                ClientId = clientId,
                After = System.Text.Json.JsonSerializer.Serialize(new { scopes }),
                Details = $"Customer granted {scopes}.",
            },
            cancellationToken);

    private Task RecordAsync(string action, string? userId, string email, string details, CancellationToken cancellationToken) =>
        auditLog.RecordAsync(
            new AuditEvent
            {
                Action = action,
                ActorId = userId,
                ActorName = email,
                SubjectType = "user",
                SubjectId = userId,
                Details = details,
            },
            cancellationToken);
}
