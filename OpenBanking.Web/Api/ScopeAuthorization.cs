using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Web.Api;

/// <summary>Names of the authorization policies of the bank API, one per scope.</summary>
public static class ScopePolicies
{
    public const string Read = "scope:read";

    public const string Write = "scope:write";

    public const string Payments = "scope:payments";
}

/// <summary>Requires a bearer token that carries <see cref="Scope"/>.</summary>
public sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasScope(requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Returns 403 with <c>WWW-Authenticate: Bearer error="insufficient_scope"</c> and the scope's name
/// when the token lacks a scope, as RFC 6750 section 3.1 defines. Every other outcome goes to the
/// default handler.
/// </summary>
public sealed class InsufficientScopeResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(
        RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var missingScope = authorizeResult.AuthorizationFailure?.FailedRequirements
            .OfType<ScopeRequirement>()
            .FirstOrDefault();
        if (!authorizeResult.Forbidden || missingScope is null)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var properties = new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictValidationAspNetCoreConstants.Properties.Error] = Errors.InsufficientScope,
            [OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription] =
                $"The access token does not carry the '{missingScope.Scope}' scope.",
            [OpenIddictValidationAspNetCoreConstants.Properties.Scope] = missingScope.Scope,
        });

        return context.ForbidAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme, properties);
    }
}
