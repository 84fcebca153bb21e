using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OpenBanking.Web.Admin.Security;

/// <summary>
/// Returns 403 Forbidden and a short page to a signed-in non-operator who opens a portal page,
/// where Identity would redirect to its access-denied page with status 200. Other paths keep
/// Identity's behaviour.
/// </summary>
internal sealed class AccessDeniedResponse : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public const string PortalPath = "/admin";

    private const string Body = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>403 Forbidden</title></head>
        <body><h1>403 Forbidden</h1><p>The admin portal is for operators only. Your account is not in the Admin role.</p>
        <p><a href="/">Back to the home page</a></p></body></html>
        """;

    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name != IdentityConstants.ApplicationScheme)
        {
            return;
        }

        var redirect = options.Events.OnRedirectToAccessDenied;
        options.Events.OnRedirectToAccessDenied = context => context.Request.Path.StartsWithSegments(PortalPath)
            ? WriteForbiddenAsync(context)
            : redirect(context);
    }

    private static Task WriteForbiddenAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(Body);
    }
}
