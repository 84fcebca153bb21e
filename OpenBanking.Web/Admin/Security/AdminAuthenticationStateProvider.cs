using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Admin.Security;

/// <summary>
/// Rechecks the user of each Blazor circuit every <see cref="RevalidationInterval"/>: the
/// security stamp, the lockout and the <see cref="Roles.Admin"/> role. When one no longer
/// matches, the circuit's user becomes anonymous and the portal sends the browser to the login
/// page, so a demoted or locked-out operator loses an open portal within that interval.
/// </summary>
public sealed partial class AdminAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> identityOptions) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AdminAuthenticationStateProvider>();

    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        ValidateAsync(authenticationState.User);

    /// <summary>Returns false when the principal's account changed, is locked out or lost the Admin role.</summary>
    internal async Task<bool> ValidateAsync(ClaimsPrincipal principal)
    {
        var userId = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.UserIdClaimType);
        if (string.IsNullOrEmpty(userId))
        {
            return true;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
        var valid = await IsStillValidAsync(users, userId, principal);
        if (!valid)
        {
            LogCircuitSignedOut(_logger, userId);
        }

        return valid;
    }

    private async Task<bool> IsStillValidAsync(UserManager<BankUser> users, string userId, ClaimsPrincipal principal)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        var stampClaim = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
        if (users.SupportsUserSecurityStamp && stampClaim != await users.GetSecurityStampAsync(user))
        {
            return false;
        }

        // Only operators have interactive circuits; anyone else holding one lost the role.
        return await users.IsInRoleAsync(user, Roles.Admin);
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information,
        Message = "Portal circuit of user {UserId} signed out: account changed, locked out or no longer an operator")]
    private static partial void LogCircuitSignedOut(ILogger logger, string userId);
}
