using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Identity;

/// <summary>
/// Records what a customer does to their own login and grants (sign-in, lockout, 2FA, consent)
/// in the audit log, with the customer as both actor and subject.
/// </summary>
public sealed class CustomerAudit(AuditLog auditLog)
{
    public const string UserSubject = "user";

    /// <summary>Records <paramref name="action"/> for <paramref name="user"/>, or for an unknown login name.</summary>
    public Task RecordAsync(
        string action, BankUser? user, string? loginName, string? clientId = null, string? details = null) =>
        auditLog.RecordAsync(new AuditEvent
        {
            Action = action,
            ActorId = user?.Id,
            ActorName = Truncate(user?.Email ?? loginName, 256),
            SubjectType = UserSubject,
            SubjectId = user?.Id,
            ClientId = clientId,
            Details = details,
        });

    // The login name comes from a form, so its length is bounded by the column, not by the sender.
    private static string? Truncate(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];
}
