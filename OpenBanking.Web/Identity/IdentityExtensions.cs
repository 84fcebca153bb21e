using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Identity;

public static class IdentityExtensions
{
    /// <summary>
    /// Registers ASP.NET Core Identity with its Razor Pages UI, account lockout, and the sign-in
    /// cookie that customers and operators share.
    /// </summary>
    public static IServiceCollection AddIdentityAndCookies(
        this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection(SignInSettings.SectionName).Get<SignInSettings>() ?? new SignInSettings();
        services.AddOptions<SignInSettings>()
            .Bind(configuration.GetSection(SignInSettings.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddIdentity<BankUser, IdentityRole>(options =>
            {
                // Length over composition rules, as NIST SP 800-63B recommends.
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;

                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = settings.MaxFailedAccessAttempts;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(settings.LockoutMinutes);

                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;

                // Identity and OpenIddict then agree on claim names.
                options.ClaimsIdentity.UserNameClaimType = Claims.Name;
                options.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                options.ClaimsIdentity.RoleClaimType = Claims.Role;
                options.ClaimsIdentity.EmailClaimType = Claims.Email;
            })
            .AddEntityFrameworkStores<BankDbContext>()
            .AddDefaultTokenProviders()
            .AddDefaultUI()
            // After AddDefaultUI, which registers the stock sign-in manager again.
            .AddSignInManager<OpenBanking.Web.Security.AuditingSignInManager>();
        services.AddRazorPages();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "OpenBanking.Session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = environment.IsDevelopment()
                ? CookieSecurePolicy.SameAsRequest
                : CookieSecurePolicy.Always;
            options.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            options.SlidingExpiration = true;
        });

        return services;
    }
}

public static class RegistrationSwitch
{
    /// <summary>
    /// Answers 404 on the registration pages when <see cref="SignInSettings.AllowRegistration"/> is
    /// off, the default outside Development.
    /// </summary>
    public static IApplicationBuilder UseRegistrationSwitch(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var allowed = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SignInSettings>>()
                .Value.AllowRegistration;
            if (!allowed && context.Request.Path.StartsWithSegments("/Identity/Account/Register", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
}
