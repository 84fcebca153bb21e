using Microsoft.AspNetCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
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
/// Rejects a request whose body names a different client_id from its HTTP Basic credentials
/// with invalid_request. OpenIddict 7.9 keeps the Basic client id and ignores the body's.
/// </summary>
internal sealed class RejectConflictingClientIds : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RejectConflictingClientIds>()
            .SetOrder(RejectMultipleClientCredentials.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var request = context.Transaction.GetHttpRequest();
        if (!ClientAuthentication.AppliesTo(context.EndpointType) || request is null || !request.HasFormContentType)
        {
            return default;
        }

        var bodyClientId = request.Form["client_id"].ToString();
        var basicClientId = BasicClientId(request.Headers.Authorization.ToString());
        if (bodyClientId.Length > 0 && basicClientId is not null
            && !string.Equals(bodyClientId, basicClientId, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidRequest,
                "The client_id in the body does not match the client of the HTTP Basic credentials.");
        }

        return default;
    }

    // The user name of HTTP Basic credentials, form-decoded as RFC 6749 section 2.3.1 requires.
    private static string? BasicClientId(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var separator = decoded.IndexOf(':', StringComparison.Ordinal);
            return separator < 0 ? null : Uri.UnescapeDataString(decoded[..separator].Replace('+', ' '));
        }
        catch (FormatException)
        {
            // OpenIddict rejects malformed credentials itself.
            return null;
        }
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
            .SetOrder(ReportClientAssertionFailures<TContext>.Descriptor.Order + 500)
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

/// <summary>
/// Accepts a client assertion only within <see cref="AuthorizationServerOptions.ClockSkewSeconds"/>
/// of its expiry. OpenIddict 7.9 validates assertions with Microsoft.IdentityModel's default
/// clock skew of five minutes.
/// </summary>
internal sealed class LimitClientAssertionClockSkew(IOptions<AuthorizationServerOptions> options)
    : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<LimitClientAssertionClockSkew>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            context.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(options.Value.ClockSkewSeconds);
        }

        return default;
    }
}

/// <summary>
/// Rejects a client assertion presented a second time (same client and <c>jti</c>) before it
/// expires, as RFC 7523 section 3 allows, so a captured assertion cannot be replayed.
/// </summary>
/// <remarks>
/// NOTE: the used identifiers are kept in this process's memory, which suits the single host the
/// product runs as. Several hosts behind a load balancer would need a shared store.
/// </remarks>
internal sealed class RejectReplayedClientAssertion(IMemoryCache cache, IOptions<AuthorizationServerOptions> options)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RejectReplayedClientAssertion>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var principal = context.ClientAssertionPrincipal;
        var tokenId = principal?.GetClaim(Claims.JwtId);
        if (principal is null)
        {
            return default;
        }

        if (string.IsNullOrEmpty(tokenId))
        {
            context.Reject(Errors.InvalidClient, "The client assertion has no 'jti' claim.");
            return default;
        }

        var key = "client-assertion:" + principal.GetClaim(Claims.Issuer) + ":" + tokenId;
        var expires = (principal.GetExpirationDate() ?? context.Options.TimeProvider.GetUtcNow())
            + TimeSpan.FromSeconds(options.Value.ClockSkewSeconds) + TimeSpan.FromSeconds(1);
        var used = true;
        cache.GetOrCreate(key, entry =>
        {
            used = false;
            entry.AbsoluteExpiration = expires;
            return true;
        });
        if (used)
        {
            context.Reject(Errors.InvalidClient, "This client assertion was already used; sign a new one for each request.");
        }

        return default;
    }
}

/// <summary>
/// Rejects a client assertion whose issuer or subject is not the authenticating client with
/// invalid_client (RFC 7523 section 3), before OpenIddict's own check returns invalid_grant.
/// </summary>
internal sealed class ValidateClientAssertionParty : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<ValidateClientAssertionParty>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertion.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.ClientAssertionPrincipal is not { } principal)
        {
            return default;
        }

        var issuer = principal.GetClaim(Claims.Issuer);
        var subject = principal.GetClaim(Claims.Subject);
        var clientId = context.Request.ClientId;
        if (string.IsNullOrEmpty(issuer) || issuer != subject || (!string.IsNullOrEmpty(clientId) && issuer != clientId))
        {
            context.Reject(Errors.InvalidClient, "The client assertion's 'iss' and 'sub' must both be the client_id.");
        }

        return default;
    }
}

/// <summary>
/// Reports every failed client assertion as invalid_client with status 401 (RFC 7523 section
/// 3.2), where OpenIddict 7.9 returns invalid_grant, invalid_token or invalid_request depending
/// on which claim was wrong. Requests whose assertion was valid keep their error.
/// </summary>
internal sealed class ReportClientAssertionFailures<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseRequestContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<ReportClientAssertionFailures<TContext>>()
            .SetOrder(OpenIddictServerHandlers.Exchange.NormalizeErrorResponse.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        var response = context.Transaction.Response;
        var authentication = context.Transaction.GetProperty<ProcessAuthenticationContext>(
            typeof(ProcessAuthenticationContext).FullName!);
        if (response is { Error: { Length: > 0 } error } && error != Errors.InvalidClient
            && !string.IsNullOrEmpty(context.Transaction.Request?.ClientAssertion)
            && authentication is { IsRejected: true, ClientAssertionPrincipal: null })
        {
            response.Error = Errors.InvalidClient;
        }

        return default;
    }
}
