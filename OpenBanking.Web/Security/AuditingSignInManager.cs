using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;

namespace OpenBanking.Web.Security;

/// <summary>
/// Identity's sign-in manager, extended to write a security event each time a sign-in is
/// refused because the account is locked out, whichever page asked for the sign-in.
/// </summary>
public sealed class AuditingSignInManager(
    UserManager<BankUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<BankUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<BankUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<BankUser> confirmation,
    AuditLog auditLog)
    : SignInManager<BankUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    protected override async Task<SignInResult> LockedOut(BankUser user)
    {
        await auditLog.RecordAsync(new AuditEvent
        {
            Action = AuditActions.LockedOut,
            ActorId = user.Id,
            ActorName = user.Email,
            SubjectType = "user",
            SubjectId = user.Id,
            Details = "Sign-in refused: the account is locked out after repeated failed passwords.",
        });

        return await base.LockedOut(user);
    }
}
