using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Renders authorization errors that must not go back to the application, because the client
/// or its redirect URI could not be trusted (RFC 6749 section 4.1.2.1). OpenIddict leaves the
/// response empty and the status code pages middleware re-executes the request here. The page
/// speaks to the customer and never shows exception details.
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
        var knownClient = request?.ClientId is { Length: > 0 } clientId
            && await applicationManager.FindByClientIdAsync(clientId, cancellationToken) is not null;

        var model = response?.Error is { } error
            ? Describe(error, response.ErrorDescription ?? string.Empty, knownClient, request)
            : DescribeWithoutProtocolError(status);

        Response.StatusCode = status;
        return View("~/OAuth/Views/Error.cshtml", model);
    }

    private static OAuthErrorViewModel Describe(
        string error, string description, bool knownClient, OpenIddictRequest? request) =>
        (knownClient, description) switch
        {
            (false, _) => new OAuthErrorViewModel(
                "Unknown application",
                "The application that sent you here is not registered with OpenBanking, so we stopped. "
                + "Your account was not shared.",
                error),
            (true, _) when description.Contains(Parameters.RedirectUri, StringComparison.Ordinal) => new OAuthErrorViewModel(
                "Unexpected return address",
                "The application asked us to send you back to an address it has not registered with us, "
                + "so we stopped. Your account was not shared. Contact the application's support.",
                error),
            (true, _) when request?.RequestUri is not null => OAuthErrorViewModel.ExpiredRequest(error),
            _ => new OAuthErrorViewModel(
                "The application's request is invalid",
                "We could not process the request the application sent. Your account was not shared. "
                + "Go back to the application and try again.",
                error),
        };

    // Without an OpenIddict error, a 400 on the authorization endpoint comes from a consent form
    // that failed antiforgery validation: it was sent from another site or after the session changed.
    private OAuthErrorViewModel DescribeWithoutProtocolError(int status)
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        var fromAuthorization = original?.OriginalPath.StartsWith("/o/authorize", StringComparison.Ordinal) == true;

        return (status, fromAuthorization) switch
        {
            (StatusCodes.Status400BadRequest, true) => OAuthErrorViewModel.ChangedConsentForm,
            _ => new OAuthErrorViewModel(
                "Page not available", "This address does not lead anywhere. Go back and try again.", $"http_{status}"),
        };
    }
}

public sealed record OAuthErrorViewModel(string Title, string Message, string Error)
{
    /// <summary>Error code shown when a consent form no longer matches its request.</summary>
    public const string InvalidConsentForm = "invalid_consent_form";

    public static OAuthErrorViewModel ChangedConsentForm { get; } = new(
        "This page has expired",
        "The form you sent was changed, sent from another site, or no longer matches the request you were shown, "
        + "so we stopped. Nothing was shared. Go back to the application and start again.",
        InvalidConsentForm);

    public static OAuthErrorViewModel ExpiredRequest(string error) => new(
        "This request has expired",
        "The sign-in request is no longer valid, perhaps because it was already used or is too old. "
        + "Go back to the application and start again.",
        error);
}
