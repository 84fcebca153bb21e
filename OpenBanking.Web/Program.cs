using OpenBanking.Web.Admin;
using OpenBanking.Web.Api;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Components;
using OpenBanking.Web.Customer;
using OpenBanking.Web.Data;
using OpenBanking.Web.Hosting;
using OpenBanking.Web.Identity;
using OpenBanking.Web.OAuth;
using OpenBanking.Web.OAuth.Performance;
using OpenBanking.Web.Security;
using OpenBanking.Web.Seeding;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddRepositoryDevelopmentSettings(builder.Environment);

builder.Services
    .AddPersistence(builder.Configuration, builder.Environment)
    .AddIdentityAndCookies(builder.Configuration, builder.Environment)
    .AddAuthorizationServer(builder.Configuration, builder.Environment)
    .AddHttpHardening(builder.Configuration, builder.Environment)
    .AddRequestRateLimits(builder.Configuration)
    .AddSecretSafeLogging()
    .AddTokenPerformance()
    .AddBankApi()
    .AddAuditLog()
    .AddAdminPortal()
    .AddCustomerPages(builder.Configuration)
    .AddSeeding(builder.Configuration);

var app = builder.Build();

// Settings are checked before the database is touched, so a bad value changes nothing.
if (!app.ValidateSettings())
{
    return 1;
}

await app.Services.MigrateDatabaseAsync();
if (AdminCommand.IsRequested(args))
{
    return await AdminCommand.RunAsync(app.Services, args);
}

await app.Services.SeedAsync(app.Environment);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler();
    app.UseHsts();
    app.UseHttpsRedirection();
}

app.UseSecurityHeaders();
app.UseRequestGuards();
app.UseAuthorizationErrorPages();

// Before authentication, where OpenIddict handles the token, introspection and PAR endpoints.
app.UseRateLimiter();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRegistrationSwitch();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapControllers();
app.MapBankApi();
app.MapRazorPages();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.LogListeningAddresses();

await app.RunAsync();
return 0;

/// <summary>Entry point; declared partial so that WebApplicationFactory&lt;Program&gt; can reach it from the tests.</summary>
public partial class Program;
