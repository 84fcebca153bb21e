using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Rejects a scope the application is not registered for with invalid_scope (RFC 6749 section
/// 4.1.2.1), where OpenIddict 7.9 answers invalid_request. Runs just before OpenIddict's own
/// scope permission check at the authorization, pushed authorization and token endpoints.
/// </summary>
internal sealed class RejectUnregisteredScopes<TContext>(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<TContext> where TContext : BaseValidatingContext
{
    /// <summary>Creates the descriptor that runs this handler just before <paramref name="permissionCheckOrder"/>.</summary>
    public static OpenIddictServerHandlerDescriptor CreateDescriptor(int permissionCheckOrder) =>
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseScopedHandler<RejectUnregisteredScopes<TContext>>()
            .SetOrder(permissionCheckOrder - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(TContext context)
    {
        var request = context.Transaction.Request;
        var scopes = request?.GetScopes() ?? [];
        if (scopes.IsEmpty || string.IsNullOrEmpty(request?.ClientId))
        {
            return;
        }

        var application = await applicationManager.FindByClientIdAsync(request.ClientId, context.CancellationToken);
        if (application is null)
        {
            return;
        }

        // Unlike OpenIddict, which lets every client ask for openid and offline_access, every
        // scope here needs the application's registration. Refresh tokens come without
        // offline_access, so no application is registered for it.
        foreach (var scope in scopes)
        {
            if (!await applicationManager.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope, context.CancellationToken))
            {
                context.Reject(Errors.InvalidScope, $"This application is not registered for the '{scope}' scope.");
                return;
            }
        }
    }
}

/// <summary>
/// Rejects a refresh request whose <c>scope</c> goes beyond the scopes of the grant with
/// invalid_scope, the code RFC 6749 section 5.2 gives for a scope that "exceeds the scope granted
/// by the resource owner", where OpenIddict 7.9 answers invalid_grant.
/// </summary>
internal sealed class RejectScopesBeyondGrant : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RejectScopesBeyondGrant>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantedScopes.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (!context.Request.IsRefreshTokenGrantType() || string.IsNullOrEmpty(context.Request.Scope)
            || context.RefreshTokenPrincipal is not { } principal)
        {
            return default;
        }

        var granted = principal.GetScopes();
        var extra = context.Request.GetScopes().FirstOrDefault(scope => !granted.Contains(scope));
        if (extra is not null)
        {
            context.Reject(Errors.InvalidScope, $"The '{extra}' scope was not granted; a refresh may only narrow the scopes.");
        }

        return default;
    }
}

/// <summary>
/// Requires applications under the FAPI 2.0 profile to send their authorization requests
/// through the pushed authorization request endpoint, whether or not the PAR requirement is
/// also set on them.
/// </summary>
internal sealed class RequireFapi2PushedAuthorization(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<RequireFapi2PushedAuthorization>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedAuthorizationRequestsRequirement.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var requestType = context.RequestTokenPrincipal?.GetClaim(Claims.Private.RequestTokenType);
        if (requestType == RequestTokenTypes.Private.PushedAuthorizationRequest)
        {
            return;
        }

        var application = string.IsNullOrEmpty(context.ClientId)
            ? null
            : await applicationManager.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is not null && await applicationManager.IsFapi2Async(application, context.CancellationToken))
        {
            context.Reject(Errors.InvalidRequest,
                "This application uses the FAPI 2.0 profile: push the authorization request to /o/par/ first "
                + "and send only client_id and the returned request_uri here.");
        }
    }
}

/// <summary>
/// Caps the lifetime of every authorization code at
/// <see cref="AuthorizationServerOptions.AuthorizationCodeLifetimeSeconds"/> (at most 60 s, the
/// FAPI 2.0 ceiling), even when an application's own token lifetime setting asks for more.
/// </summary>
internal sealed class CapAuthorizationCodeLifetime(IOptions<AuthorizationServerOptions> options)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<CapAuthorizationCodeLifetime>()
            .SetOrder(OpenIddictServerHandlers.PrepareAuthorizationCodePrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        var principal = context.AuthorizationCodePrincipal;
        if (principal?.GetCreationDate() is not { } created)
        {
            return default;
        }

        var ceiling = TimeSpan.FromSeconds(options.Value.AuthorizationCodeLifetimeSeconds);
        if (ceiling > ApplicationSecurity.Fapi2MaxCodeLifetime)
        {
            ceiling = ApplicationSecurity.Fapi2MaxCodeLifetime;
        }

        if (principal.GetExpirationDate() is not { } expires || expires > created + ceiling)
        {
            principal.SetExpirationDate(created + ceiling);
        }

        return default;
    }
}
