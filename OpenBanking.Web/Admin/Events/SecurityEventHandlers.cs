using System.Text.Json;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Audit;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.Admin.Events;

/// <summary>
/// Writes a <see cref="AuditActions.TokenIssued"/> event for each authorization code or token
/// response: which client, for which customer and grant, and which token types. Token values
/// are never written, only their entry ids.
/// </summary>
internal sealed class AuditIssuedTokens(AuditLog auditLog) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AuditIssuedTokens>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        var issued = new Dictionary<string, string?>();
        AddIssued(issued, "authorization_code", context.AuthorizationCodePrincipal, context.IncludeAuthorizationCode);
        AddIssued(issued, "access_token", context.AccessTokenPrincipal, context.IncludeAccessToken);
        AddIssued(issued, "refresh_token", context.RefreshTokenPrincipal, context.IncludeRefreshToken);
        if (issued.Count == 0)
        {
            return default;
        }

        var principal = context.AccessTokenPrincipal ?? context.AuthorizationCodePrincipal;
        auditLog.Enqueue(
            new AuditEvent
            {
                Action = AuditActions.TokenIssued,
                ActorName = context.ClientId,
                SubjectType = AuditSubject.Authorization,
                SubjectId = principal?.GetAuthorizationId(),
                ClientId = context.ClientId,
                After = JsonSerializer.Serialize(new
                {
                    grant_type = context.Request?.GrantType ?? "authorization_request",
                    subject = principal?.GetClaim(Claims.Subject),
                    scope = string.Join(' ', principal?.GetScopes() ?? []),
                    token_ids = issued,
                }),
                Details = "Issued " + string.Join(", ", issued.Keys) + ".",
            });

        return default;
    }

    private static void AddIssued(
        Dictionary<string, string?> issued, string type, System.Security.Claims.ClaimsPrincipal? principal, bool included)
    {
        if (included && principal is not null)
        {
            issued[type] = principal.GetTokenId();
        }
    }
}

/// <summary>
/// Writes a <see cref="AuditActions.TokenRequestFailed"/> event for each token request that
/// ends in an OAuth error, such as a wrong client secret or a reused code.
/// </summary>
internal sealed class AuditFailedTokenRequests(AuditLog auditLog) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<AuditFailedTokenRequests>()
            .SetOrder(OpenIddictServerHandlers.Exchange.NormalizeErrorResponse.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error))
        {
            return default;
        }

        auditLog.Enqueue(
            new AuditEvent
            {
                Action = AuditActions.TokenRequestFailed,
                ActorName = context.Request?.ClientId,
                SubjectType = AuditSubject.Client,
                SubjectId = context.Request?.ClientId,
                ClientId = context.Request?.ClientId,
                After = JsonSerializer.Serialize(new
                {
                    grant_type = context.Request?.GrantType,
                    error = context.Response.Error,
                    error_description = context.Response.ErrorDescription,
                }),
                Details = $"{context.Response.Error}: {context.Response.ErrorDescription}",
            });

        return default;
    }
}

/// <summary>
/// Writes a <see cref="AuditActions.TokenRevoked"/> event when a client revokes a token at the
/// revocation endpoint.
/// </summary>
internal sealed class AuditClientRevocations(AuditLog auditLog) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<AuditClientRevocations>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 2_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        var principal = context.GenericTokenPrincipal;
        if (context.IsRejected || principal is null)
        {
            return;
        }

        await auditLog.RecordAsync(
            new AuditEvent
            {
                Action = AuditActions.TokenRevoked,
                ActorName = context.Request.ClientId,
                SubjectType = AuditSubject.Token,
                SubjectId = principal.GetTokenId(),
                ClientId = context.Request.ClientId,
                After = JsonSerializer.Serialize(new { authorization_id = principal.GetAuthorizationId(), token_count = 1 }),
                Details = "Revoked by the client at the revocation endpoint; the rest of its grant ends with it.",
            },
            context.CancellationToken);
    }
}
