using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// The development redirect URI. It shows the authorization response and the curl command
/// that exchanges the code, so the walkthrough needs no client application.
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class CallbackController : Controller
{
    [HttpGet("~/callback/")]
    public IActionResult Show(
        [FromQuery] string? code,
        [FromQuery] string? state,
        [FromQuery] string? error,
        [FromQuery(Name = "error_description")] string? errorDescription)
    {
        // The page shows a code: keep it out of the Referer header of any link followed from it.
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "no-store";

        var baseUri = $"{Request.Scheme}://{Request.Host}{Request.PathBase}";
        var nextCommand = code is null ? null : BuildTokenCommand(baseUri, code);
        return View("~/OAuth/Views/Callback.cshtml", new CallbackViewModel(code, state, error, errorDescription, nextCommand));
    }

    private static string BuildTokenCommand(string baseUri, string code) =>
        new StringBuilder()
            .Append("curl -s ").Append(baseUri).Append("/o/token/ \\\n")
            .Append("  -d grant_type=authorization_code \\\n")
            .Append("  --data-urlencode 'code=").Append(code.Replace("'", string.Empty, StringComparison.Ordinal)).Append("' \\\n")
            .Append("  --data-urlencode 'redirect_uri=").Append(baseUri).Append("/callback/' \\\n")
            .Append("  -d client_id=\"$CLIENT_ID\" -d client_secret=\"$CLIENT_SECRET\" \\\n")
            .Append("  -d code_verifier=\"$CODE_VERIFIER\"")
            .ToString();
}

public sealed record CallbackViewModel(
    string? Code, string? State, string? Error, string? ErrorDescription, string? NextCommand);
