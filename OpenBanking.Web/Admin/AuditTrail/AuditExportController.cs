using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Admin.AuditTrail;

/// <summary>
/// Downloads the audit log as CSV with the filters of the audit page, as
/// <c>GET /admin/audit/export.csv?action=…&amp;actor=…&amp;from=…</c>. Operators only.
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
[Authorize(Roles = Roles.Admin)]
public sealed class AuditExportController(
    AuditQueryService auditQuery, AdminGuard guard, AuthenticationStateProvider authenticationState) : Controller
{
    public const string Path = "/admin/audit/export.csv";

    [HttpGet("~" + Path)]
    public async Task<IActionResult> Export(
        [FromQuery] string? action, [FromQuery] string? actor, [FromQuery] string? subject, [FromQuery(Name = "client_id")] string? clientId,
        [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, CancellationToken cancellationToken)
    {
        // The portal services read the user from the authentication state, which only Blazor sets.
        ((IHostEnvironmentAuthenticationStateProvider)authenticationState)
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(User)));

        // The cookie may still carry the role of an operator who was demoted since it was issued.
        try
        {
            await guard.RequireAdminAsync();
        }
        catch (AdminAccessDeniedException)
        {
            return Forbid();
        }

        var fileName = $"audit-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await auditQuery.WriteCsvAsync(new AuditFilter(action, actor, subject, clientId, from, to), writer, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>Returns the export URL for the filters, as the audit page links to it.</summary>
    public static string UrlFor(AuditFilter filter)
    {
        var query = new Dictionary<string, string?>
        {
            ["action"] = filter.Action,
            ["actor"] = filter.Actor,
            ["subject"] = filter.Subject,
            ["client_id"] = filter.ClientId,
            ["from"] = filter.From?.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = filter.To?.ToString("O", CultureInfo.InvariantCulture),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
            Path, query.Where(pair => !string.IsNullOrEmpty(pair.Value)));
    }
}
