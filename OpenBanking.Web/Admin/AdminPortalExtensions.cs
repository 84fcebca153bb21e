using MudBlazor.Services;

namespace OpenBanking.Web.Admin;

public static class AdminPortalExtensions
{
    /// <summary>Registers the Razor components host, the Blazor Server circuit and MudBlazor.</summary>
    public static IServiceCollection AddAdminPortal(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();

        return services;
    }
}
