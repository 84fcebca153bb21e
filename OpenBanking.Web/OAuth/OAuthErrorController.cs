using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Renders authorization errors that must not go back to the application, because the client
/// or its redirect URI could not be trusted (RFC 6749 section 4.1.2.1). OpenIddict leaves the
/// response empty and the status code pages middleware re-executes the request here.
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class OAuthErrorController(IOpenIddictApplicationManager applicationManager) : Controller
{
    public const string Path = "/o/error/";

    [Route("~/o/error/{status:int}")]
    public async Task<IActionResult> Show(int status, CancellationToken cancellationToken)
    {
        var response = HttpContext.GetOpenIddictServerResponse();
        var request = HttpContext.GetOpenIddictServerRequest();
        var error = response?.Error ?? $"http_{status}";
        var known = request?.ClientId is { Length: > 0 } clientId
            && await applicationManager.FindByClientIdAsync(clientId, cancellationToken) is not null;

        var model = (response?.Error, known, response?.ErrorDescription ?? string.Empty) switch
        {
            (null, _, _) => new OAuthErrorViewModel(
                "Page not available", "This address does not lead anywhere. Go back and try again.", error),
            (_, false, _) => new OAuthErrorViewModel(
                "Unknown application",
                "The application that sent you here is not registered with OpenBanking, so we stopped. "
                + "Your account was not shared.",
                error),
            (_, true, var description) when description.Contains(Parameters.RedirectUri, StringComparison.Ordinal) =>
                new OAuthErrorViewModel(
                    "Unexpected return address",
                    "The application asked us to send you back to an address it has not registered with us, "
                    + "so we stopped. Your account was not shared. Contact the application's support.",
                    error),
            (_, true, _) when request?.RequestUri is not null => new OAuthErrorViewModel(
                "This request has expired",
                "The sign-in request is no longer valid, perhaps because it was already used or is too old. "
                + "Go back to the application and start again.",
                error),
            _ => new OAuthErrorViewModel(
                "The application's request is invalid",
                "We could not process the request the application sent. Your account was not shared. "
                + "Go back to the application and try again.",
                error),
        };

        Response.StatusCode = status;
        return View("~/OAuth/Views/Error.cshtml", model);
    }
}

public sealed record OAuthErrorViewModel(string Title, string Message, string Error);
