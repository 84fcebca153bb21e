using OpenBanking.Web.Audit;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Rejects a request that authenticates the client in two ways at once, a client secret and a
/// client assertion (RFC 6749 section 2.3: one method per request), with invalid_request.
/// OpenIddict already rejects a secret sent both in the body and by HTTP Basic.
/// </summary>
internal sealed class RejectMultipleClientCredentials : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RejectMultipleClientCredentials>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertion.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (ClientAuthentication.AppliesTo(context.EndpointType)
            && !string.IsNullOrEmpty(context.Request.ClientSecret)
            && !string.IsNullOrEmpty(context.Request.ClientAssertion))
        {
            context.Reject(Errors.InvalidRequest,
                "The client was authenticated with both a secret and a client assertion; use one method.");
        }

        return default;
    }
}

/// <summary>
/// Rejects a client secret sent by a public client with invalid_request: a public client has no
/// secret, so one in the request is a malformed request rather than a failed authentication.
/// </summary>
internal sealed class RejectPublicClientSecret(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<RejectPublicClientSecret>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (!ClientAuthentication.AppliesTo(context.EndpointType)
            || string.IsNullOrEmpty(context.Request.ClientSecret)
            || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var application = await applicationManager.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is not null
            && await applicationManager.HasClientTypeAsync(application, ClientTypes.Public, context.CancellationToken))
        {
            context.Reject(Errors.InvalidRequest, "This client is public and has no secret: remove 'client_secret'.");
        }
    }
}

/// <summary>
/// Requires private_key_jwt client authentication (RFC 7523) from applications under the FAPI
/// 2.0 profile, at every endpoint where a client authenticates.
/// </summary>
internal sealed class RequireFapi2ClientAuthentication(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<RequireFapi2ClientAuthentication>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order + 600)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (!ClientAuthentication.AppliesTo(context.EndpointType) || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var usesPrivateKeyJwt = !string.IsNullOrEmpty(context.Request.ClientAssertion)
            && context.Request.ClientAssertionType == ClientAssertionTypes.JwtBearer;
        if (usesPrivateKeyJwt)
        {
            return;
        }

        var application = await applicationManager.FindByClientIdAsync(context.ClientId, context.CancellationToken);
        if (application is not null && await applicationManager.IsFapi2Async(application, context.CancellationToken))
        {
            context.Reject(Errors.InvalidClient,
                "This application uses the FAPI 2.0 profile and must authenticate with private_key_jwt.");
        }
    }
}

/// <summary>
/// Writes a security event for every request rejected with invalid_client, at the token, pushed
/// authorization, introspection and revocation endpoints.
/// </summary>
internal sealed partial class AuditClientAuthenticationFailure<TContext>(
    AuditLog auditLog,
    ILogger<AuditClientAuthenticationFailure<TContext>> logger) : IOpenIddictServerHandler<TContext>
    where TContext : BaseRequestContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseScopedHandler<AuditClientAuthenticationFailure<TContext>>()
            .SetOrder(int.MinValue + 50_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(TContext context)
    {
        if (context.Transaction.Response?.Error != Errors.InvalidClient)
        {
            return;
        }

        var clientId = context.Transaction.Request?.ClientId;
        var endpoint = context.EndpointType.ToString();
        LogFailed(logger, clientId, endpoint);
        await auditLog.RecordAsync(new AuditEvent
        {
            Action = AuditActions.ClientAuthenticationFailed,
            ActorName = clientId,
            ClientId = clientId,
            SubjectType = "client",
            SubjectId = clientId,
            Details = $"Client authentication failed at the {endpoint} endpoint: {context.Transaction.Response.ErrorDescription}",
        }, context.CancellationToken);
    }

    [LoggerMessage(EventId = 7403, Level = LogLevel.Information,
        Message = "Client authentication of {ClientId} failed at the {Endpoint} endpoint")]
    private static partial void LogFailed(ILogger logger, string? clientId, string endpoint);
}

internal static class ClientAuthentication
{
    /// <summary>Returns whether clients authenticate at the endpoint (token, PAR, introspection, revocation).</summary>
    public static bool AppliesTo(OpenIddictServerEndpointType endpoint) => endpoint is
        OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.PushedAuthorization
        or OpenIddictServerEndpointType.Introspection or OpenIddictServerEndpointType.Revocation;
}
