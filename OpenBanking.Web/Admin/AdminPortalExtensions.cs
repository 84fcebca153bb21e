using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using OpenBanking.Web.Admin.Applications;
using OpenBanking.Web.Admin.AuditTrail;
using OpenBanking.Web.Admin.Consents;
using OpenBanking.Web.Admin.Customers;
using OpenBanking.Web.Admin.Dashboard;
using OpenBanking.Web.Admin.Events;
using OpenBanking.Web.Admin.Scopes;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Tokens;

namespace OpenBanking.Web.Admin;

public static class AdminPortalExtensions
{
    /// <summary>
    /// Registers the Razor components host, the Blazor Server circuit, MudBlazor, the portal's
    /// services, the circuit's revalidating authentication state, and the OpenIddict handlers
    /// that enforce the portal's enabled flag and write token events to the audit log.
    /// </summary>
    public static IServiceCollection AddAdminPortal(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, AdminAuthenticationStateProvider>();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, AccessDeniedResponse>();
        services.AddMudServices();

        services.AddScoped<AdminGuard>();
        services.AddScoped<OperatorAudit>();
        services.AddScoped<ApplicationAdminService>();
        services.AddScoped<ScopeAdminService>();
        services.AddScoped<TokenAdminService>();
        services.AddScoped<ConsentAdminService>();
        services.AddScoped<GrantTimelineService>();
        services.AddScoped<CustomerAdminService>();
        services.AddScoped<AuditQueryService>();
        services.AddScoped<DashboardService>();

        // AddServer is additive: these handlers join those of AddAuthorizationServer.
        services.AddOpenIddict().AddServer(options =>
        {
            options.AddEventHandler(RejectDisabledApplications.AuthorizationDescriptor);
            options.AddEventHandler(RejectDisabledApplications.TokenDescriptor);
            options.AddEventHandler(AuditIssuedTokens.Descriptor);
            options.AddEventHandler(AuditFailedTokenRequests.Descriptor);
            options.AddEventHandler(AuditClientRevocations.Descriptor);
        });

        return services;
    }
}
