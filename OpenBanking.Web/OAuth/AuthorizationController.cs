using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenBanking.Web.Audit;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// The authorization endpoint: signs the customer in, shows the consent page, and hands the
/// customer's decision to OpenIddict, which redirects back to the application.
/// </summary>
/// <remarks>
/// OpenIddict has validated the request before these actions run: the client exists, the
/// redirect URI is registered exactly, PKCE uses S256, and the requested scopes are allowed.
/// </remarks>
[ApiExplorerSettings(IgnoreApi = true)]
public sealed partial class AuthorizationController(
    IOpenIddictApplicationManager applicationManager,
    IOpenIddictAuthorizationManager authorizationManager,
    ConsentViewModelFactory consentViewModels,
    ConsentFormBinding formBinding,
    PrincipalFactory principals,
    UserManager<BankUser> userManager,
    CustomerAudit audit,
    ILogger<AuthorizationController> logger) : Controller
{
    public const string AllowButton = "allow";

    public const string DenyButton = "deny";

    [HttpGet("~/o/authorize/")]
    [HttpPost("~/o/authorize/")]
    [IgnoreAntiforgeryToken]
    public async Task<IActionResult> Authorize(CancellationToken cancellationToken)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var (user, signedInAt) = await GetSignedInUserWithTimeAsync();

        // max_age (OpenID Connect Core 1.0 section 3.1.2.1): a sign-in older than the limit
        // counts as none, so the customer signs in again.
        var tooOld = request.MaxAge is { } maxAge
            && (signedInAt is null || signedInAt.Value.AddSeconds(maxAge) < DateTimeOffset.UtcNow);
        if (user is null || tooOld)
        {
            return request.HasPromptValue(PromptValues.None)
                ? OAuthResults.Reject(Errors.LoginRequired, "The customer is not signed in recently enough.")
                : Challenge(new AuthenticationProperties { RedirectUri = Request.PathBase + Request.Path + Request.QueryString },
                    IdentityConstants.ApplicationScheme);
        }

        var application = await FindApplicationAsync(request, cancellationToken);
        var requestedScopes = await GetRequestedScopesAsync(request, application, cancellationToken);
        var consent = await FindConsentAsync(user, application, requestedScopes, cancellationToken);

        // A remembered consent covering every requested scope skips the page unless the
        // application asks for it again with prompt=consent.
        if (consent is not null && !request.HasPromptValue(PromptValues.Consent))
        {
            LogConsentRemembered(logger, user.Id, request.ClientId);
            return SignIn(await principals.CreateForCustomerAsync(user, requestedScopes, cancellationToken),
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            return OAuthResults.Reject(Errors.ConsentRequired, "The customer has not granted these scopes to this application.");
        }

        var model = await consentViewModels.CreateAsync(user, application, request, requestedScopes, cancellationToken);
        return View("~/OAuth/Views/Consent.cshtml", model);
    }

    [HttpPost("~/o/authorize/")]
    [ValidateAntiForgeryToken]
    [FormValueRequired("submit." + AllowButton)]
    public async Task<IActionResult> Allow(
        [FromForm(Name = "granted_scope")] string[]? grantedScopes,
        [FromForm(Name = ConsentFormBinding.FieldName)] string? binding,
        CancellationToken cancellationToken)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var user = await GetSignedInUserAsync();
        if (user is null)
        {
            return OAuthResults.Reject(Errors.LoginRequired, "The customer is not signed in.");
        }

        var application = await FindApplicationAsync(request, cancellationToken);
        var requestedScopes = await GetRequestedScopesAsync(request, application, cancellationToken);

        // The form must belong to this request, and may only drop scopes from those shown:
        // a scope that was not on the page means the form was edited, so nothing is granted.
        var submitted = (grantedScopes ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (!formBinding.Matches(binding, user.Id, request, requestedScopes, Request.Form.Keys)
            || submitted.Except(requestedScopes, StringComparer.Ordinal).Any())
        {
            return await RejectChangedFormAsync(user, request);
        }

        var granted = requestedScopes.Intersect(submitted, StringComparer.Ordinal).ToList();
        if (granted.Count == 0)
        {
            LogConsentDenied(logger, user.Id, request.ClientId);
            await ReplaceConsentAsync(user, application, principal: null, [], cancellationToken);
            await audit.RecordAsync(AuditActions.ConsentDenied, user, user.Email, request.ClientId, "no scope ticked");
            return OAuthResults.Reject(Errors.AccessDenied, "The customer granted no scope.");
        }

        var principal = await principals.CreateForCustomerAsync(user, granted, cancellationToken);
        await ReplaceConsentAsync(user, application, principal, granted, cancellationToken);

        var grantedText = string.Join(' ', granted);
        LogConsentGranted(logger, user.Id, request.ClientId, grantedText);
        await audit.RecordAsync(AuditActions.ConsentGranted, user, user.Email, request.ClientId, grantedText);
        return SignIn(principal, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    [HttpPost("~/o/authorize/")]
    [ValidateAntiForgeryToken]
    [FormValueRequired("submit." + DenyButton)]
    public async Task<IActionResult> Deny(
        [FromForm(Name = ConsentFormBinding.FieldName)] string? binding, CancellationToken cancellationToken)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var user = await GetSignedInUserAsync();
        if (user is null)
        {
            return OAuthResults.Reject(Errors.LoginRequired, "The customer is not signed in.");
        }

        // Deny redirects to the application too, so it needs the same proof as Allow that the
        // form was shown for this request.
        var application = await FindApplicationAsync(request, cancellationToken);
        var requestedScopes = await GetRequestedScopesAsync(request, application, cancellationToken);
        if (!formBinding.Matches(binding, user.Id, request, requestedScopes, Request.Form.Keys))
        {
            return await RejectChangedFormAsync(user, request);
        }

        LogConsentDenied(logger, user.Id, request.ClientId);
        await ReplaceConsentAsync(user, application, principal: null, [], cancellationToken);
        await audit.RecordAsync(AuditActions.ConsentDenied, user, user.Email, request.ClientId, "denied");
        return OAuthResults.Reject(Errors.AccessDenied, "The customer denied the request.");
    }

    // An edited or stale form ends on the error page: redirecting would send the customer to
    // an address the request can no longer vouch for.
    private async Task<IActionResult> RejectChangedFormAsync(BankUser user, OpenIddictRequest request)
    {
        LogConsentFormRejected(logger, user.Id, request.ClientId);
        await audit.RecordAsync(AuditActions.ConsentRejected, user, user.Email, request.ClientId,
            "consent form did not match the request it was shown for");

        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("~/OAuth/Views/Error.cshtml", OAuthErrorViewModel.ChangedConsentForm);
    }

    private async Task<BankUser?> GetSignedInUserAsync() => (await GetSignedInUserWithTimeAsync()).User;

    private async Task<(BankUser? User, DateTimeOffset? SignedInAt)> GetSignedInUserWithTimeAsync()
    {
        var result = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return result.Succeeded
            ? (await userManager.GetUserAsync(result.Principal), result.Properties?.IssuedUtc)
            : (null, null);
    }

    /// <summary>
    /// Makes the customer's latest decision the remembered one: every earlier consent to this
    /// application ends, and the scopes just granted (if any) become the consent. Tokens already
    /// issued keep their own grants; "Remove access" ends those.
    /// </summary>
    private async Task ReplaceConsentAsync(
        BankUser user, object application, ClaimsPrincipal? principal, List<string> granted,
        CancellationToken cancellationToken)
    {
        var applicationId = await applicationManager.GetIdAsync(application, cancellationToken) ?? string.Empty;
        var earlier = new List<object>();
        await foreach (var authorization in authorizationManager.FindAsync(
            user.Id, applicationId, Statuses.Valid, AuthorizationTypes.Permanent, scopes: null, cancellationToken))
        {
            earlier.Add(authorization);
        }

        foreach (var authorization in earlier)
        {
            await authorizationManager.TryRevokeAsync(authorization, cancellationToken);
        }

        if (principal is not null && granted.Count > 0)
        {
            await authorizationManager.CreateAsync(
                principal: principal,
                subject: user.Id,
                client: applicationId,
                type: AuthorizationTypes.Permanent,
                scopes: [.. granted],
                cancellationToken);
        }
    }

    private async Task<object> FindApplicationAsync(OpenIddictRequest request, CancellationToken cancellationToken) =>
        await applicationManager.FindByClientIdAsync(request.ClientId ?? string.Empty, cancellationToken)
        ?? throw new InvalidOperationException("The client application validated by OpenIddict no longer exists.");

    /// <summary>
    /// Returns the scopes of the request, or every scope the application is registered for
    /// when the request names none.
    /// </summary>
    private async Task<IReadOnlyList<string>> GetRequestedScopesAsync(
        OpenIddictRequest request, object application, CancellationToken cancellationToken)
    {
        var requested = request.GetScopes();
        if (!requested.IsEmpty)
        {
            return requested;
        }

        return await applicationManager.GetPermittedScopesAsync(application, cancellationToken);
    }

    private async Task<object?> FindConsentAsync(
        BankUser user, object application, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var clientId = await applicationManager.GetIdAsync(application, cancellationToken) ?? string.Empty;
        await foreach (var authorization in authorizationManager.FindAsync(
            user.Id, clientId, Statuses.Valid, AuthorizationTypes.Permanent, [.. scopes], cancellationToken))
        {
            return authorization;
        }

        return null;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Customer {CustomerId} granted client {ClientId} the scopes {Scopes}")]
    private static partial void LogConsentGranted(ILogger logger, string customerId, string? clientId, string scopes);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Customer {CustomerId} denied the request of client {ClientId}")]
    private static partial void LogConsentDenied(ILogger logger, string? customerId, string? clientId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Remembered consent of customer {CustomerId} for client {ClientId} skipped the consent page")]
    private static partial void LogConsentRemembered(ILogger logger, string customerId, string? clientId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information,
        Message = "Consent form of customer {CustomerId} for client {ClientId} rejected: it does not match the pending request")]
    private static partial void LogConsentFormRejected(ILogger logger, string customerId, string? clientId);
}
