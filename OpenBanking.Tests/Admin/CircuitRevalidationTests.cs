using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Tests.Admin;

/// <summary>The check that ends a portal circuit whose operator was demoted, locked out or changed.</summary>
public sealed class CircuitRevalidationTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    [Fact]
    public async Task Revalidation_FailsAfterRoleRemoved()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var (users, user, principal) = await CreateOperatorAsync(scope.ServiceProvider);
        var provider = Provider(scope.ServiceProvider);
        Assert.True(await provider.ValidateAsync(principal));

        // Removing the role alone, without a new security stamp, must end the circuit too.
        await using (var db = factory.CreateDbContext())
        {
            Assert.Equal(1, await db.UserRoles.Where(link => link.UserId == user.Id).ExecuteDeleteAsync());
        }

        Assert.False(await provider.ValidateAsync(principal));
        await using (var check = factory.Services.CreateAsyncScope())
        {
            var fresh = check.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
            Assert.False(await fresh.IsInRoleAsync((await fresh.FindByIdAsync(user.Id))!, Roles.Admin));
        }
    }

    [Fact]
    public async Task Revalidation_FailsAfterLockout()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var (users, user, principal) = await CreateOperatorAsync(scope.ServiceProvider);
        var provider = Provider(scope.ServiceProvider);

        await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1));

        Assert.False(await provider.ValidateAsync(principal));
    }

    [Fact]
    public async Task Revalidation_FailsAfterSecurityStampChange()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var (users, user, principal) = await CreateOperatorAsync(scope.ServiceProvider);
        var provider = Provider(scope.ServiceProvider);

        await users.UpdateSecurityStampAsync(user);

        Assert.False(await provider.ValidateAsync(principal));
    }

    private static AdminAuthenticationStateProvider Provider(IServiceProvider services) =>
        Assert.IsType<AdminAuthenticationStateProvider>(services.GetRequiredService<AuthenticationStateProvider>());

    private static async Task<(UserManager<BankUser> Users, BankUser User, System.Security.Claims.ClaimsPrincipal Principal)>
        CreateOperatorAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<UserManager<BankUser>>();
        var email = $"operator-{Guid.NewGuid():N}@bank.test";
        var user = new BankUser { UserName = email, Email = email, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user, "operator-pass-123")).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.Admin)).Succeeded);
        var principal = await services.GetRequiredService<SignInManager<BankUser>>().CreateUserPrincipalAsync(user);

        return (users, user, principal);
    }
}
