using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Web.Data;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>
/// A DI scope of the real host whose authentication state is a signed-in user, as a Blazor
/// circuit has it: portal services resolved from it act for that user.
/// </summary>
public sealed class PortalSession : IAsyncDisposable
{
    public const string AdminEmail = "admin@bank.test";

    private readonly AsyncServiceScope _scope;

    private PortalSession(AsyncServiceScope scope)
    {
        _scope = scope;
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    /// <summary>Opens a session for the user with <paramref name="email"/>, or an anonymous one when null.</summary>
    public static async Task<PortalSession> OpenAsync(OpenBankingFactory factory, string? email = AdminEmail)
    {
        var scope = factory.Services.CreateAsyncScope();
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        if (email is not null)
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<BankUser>>();
            var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
            principal = await scope.ServiceProvider.GetRequiredService<SignInManager<BankUser>>().CreateUserPrincipalAsync(user);
        }

        var provider = (IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        return new PortalSession(scope);
    }

    public T Get<T>()
        where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _scope.DisposeAsync();
}
