using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Admin.Security;

/// <summary>
/// Checks, on every call of a portal service, that the signed-in user is still an operator: the
/// account exists, is not locked out and is in the <see cref="Roles.Admin"/> role. The check
/// reads the database, so a demoted operator is rejected at once, whatever the cookie claims.
/// </summary>
public sealed class AdminGuard(AuthenticationStateProvider authenticationState, IServiceScopeFactory scopeFactory)
{
    /// <summary>Returns the operator behind the current circuit or request, or throws.</summary>
    /// <exception cref="AdminAccessDeniedException">The user is not signed in or is not an operator.</exception>
    public async Task<PortalOperator> RequireAdminAsync()
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        var userId = state.User.FindFirstValue(OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject);
        if (string.IsNullOrEmpty(userId))
        {
            throw new AdminAccessDeniedException("Sign in with an operator account to use the admin portal.");
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null || await users.IsLockedOutAsync(user) || !await users.IsInRoleAsync(user, Roles.Admin))
        {
            throw new AdminAccessDeniedException($"User {userId} is not an operator: the {Roles.Admin} role is required.");
        }

        return new PortalOperator(user.Id, user.Email ?? user.UserName ?? user.Id);
    }
}

/// <summary>The operator who performs a portal action, as written to the audit log.</summary>
public sealed record PortalOperator(string Id, string Name);

/// <summary>Raised when a portal service is called by someone who is not an operator.</summary>
public sealed class AdminAccessDeniedException : Exception
{
    public AdminAccessDeniedException()
    {
    }

    public AdminAccessDeniedException(string message) : base(message)
    {
    }

    public AdminAccessDeniedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
