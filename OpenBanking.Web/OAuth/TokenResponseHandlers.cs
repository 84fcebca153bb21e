using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Issues a refresh token with every authorization code and refresh token exchange of a client
/// registered for the refresh_token grant. OpenIddict issues one only when the offline_access
/// scope was granted, but the bank's clients never ask for that scope and expect a refresh
/// token all the same. Client credentials never get one (RFC 6749 section 4.4.3).
/// </summary>
internal sealed class IssueRefreshTokens(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<IssueRefreshTokens>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType != OpenIddictServerEndpointType.Token
            || !(context.Request.IsAuthorizationCodeGrantType() || context.Request.IsRefreshTokenGrantType())
            || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var application = await applicationManager.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is not null && await applicationManager.HasPermissionAsync(
                application, Permissions.GrantTypes.RefreshToken, context.CancellationToken))
        {
            context.GenerateRefreshToken = true;
            context.IncludeRefreshToken = true;
        }
    }
}

/// <summary>
/// Reports the access token's lifetime as configured (3600, not 3599) in <c>expires_in</c>.
/// OpenIddict derives the value from the expiration date minus the current time, which the few
/// milliseconds spent issuing the tokens truncate by one second.
/// </summary>
internal sealed class RoundExpiresIn : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<RoundExpiresIn>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        var principal = context.AccessTokenPrincipal;
        if (context.Response.ExpiresIn is not null
            && principal?.GetCreationDate() is { } created
            && principal.GetExpirationDate() is { } expires)
        {
            context.Response.ExpiresIn = (long)Math.Round((expires - created).TotalSeconds);
        }

        return default;
    }
}

/// <summary>
/// Always names the granted scopes in <c>scope</c> of a token response. OpenIddict leaves the
/// field out when the scopes equal those of the request (RFC 6749 section 5.1 allows that), but
/// the bank's clients read it on every response, refreshes that narrow the scope included.
/// </summary>
internal sealed class AlwaysIncludeScope : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AlwaysIncludeScope>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 2)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Token
            && string.IsNullOrEmpty(context.Response.Scope)
            && context.AccessTokenPrincipal?.GetScopes() is { IsEmpty: false } scopes)
        {
            context.Response.Scope = string.Join(' ', scopes);
        }

        return default;
    }
}

/// <summary>
/// Names the token's scopes in an introspection response to the client the token was issued
/// to. OpenIddict lists them only for a caller that is an audience of the token (a resource
/// server), but a client introspecting its own token needs to know what it may do.
/// </summary>
internal sealed class IntrospectScopesForPresenter : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
            .UseSingletonHandler<IntrospectScopesForPresenter>()
            .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
    {
        if (context.Scopes.Count == 0
            && !string.IsNullOrEmpty(context.Request.ClientId)
            && context.GenericTokenPrincipal.HasPresenter(context.Request.ClientId))
        {
            context.Scopes.UnionWith(context.GenericTokenPrincipal.GetScopes());
        }

        return default;
    }
}
