using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Makes revocation a logout: after OpenIddict revokes the presented token, this handler ends
/// the token's whole grant, meaning the ad-hoc authorization created by one authorization code
/// and every access and refresh token issued under it, rotations included. The customer's
/// remembered consent (a permanent authorization) is left alone.
/// </summary>
internal sealed partial class RevokeTokenFamily(GrantService grants, ILogger<RevokeTokenFamily> logger)
    : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<RevokeTokenFamily>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        var authorizationId = context.GenericTokenPrincipal?.GetAuthorizationId();
        if (context.IsRejected || string.IsNullOrEmpty(authorizationId))
        {
            return;
        }

        var revoked = await grants.EndGrantFamilyAsync(authorizationId, context.CancellationToken);
        LogGrantRevoked(logger, authorizationId, context.Request.ClientId, revoked);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Revocation by client {ClientId} ended grant {AuthorizationId} and its {TokenCount} tokens")]
    private static partial void LogGrantRevoked(ILogger logger, string authorizationId, string? clientId, long tokenCount);
}

/// <summary>
/// Adds <c>{"status": "revoked"}</c> to successful revocation responses, the body the bank's
/// existing clients expect. RFC 7009 requires status 200 and allows any body.
/// </summary>
internal sealed class AddRevokedStatus : IOpenIddictServerHandler<ApplyRevocationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyRevocationResponseContext>()
            .UseSingletonHandler<AddRevokedStatus>()
            .SetOrder(OpenIddictServerHandlers.Revocation.NormalizeErrorResponse.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyRevocationResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error))
        {
            context.Response["status"] = "revoked";
        }

        return default;
    }
}
