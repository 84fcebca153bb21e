using System.Text.Json;
using OpenBanking.Web.Admin.Applications;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.Admin.Events;

/// <summary>
/// Rejects authorization and token requests of an application that an operator disabled (its
/// <c>disabled</c> property is true). The authorization endpoint shows its error page, because
/// the check runs before the redirect URI is trusted; the token endpoint returns
/// <c>unauthorized_client</c>. Tokens issued before keep working until revoked or expired.
/// </summary>
internal sealed class RejectDisabledApplications(IOpenIddictApplicationManager applicationManager)
    : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>, IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public const string Description = "The client application is disabled. Ask the bank's operators to enable it.";

    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<RejectDisabledApplications>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientRedirectUri.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor TokenDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RejectDisabledApplications>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (await IsDisabledAsync(context.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.UnauthorizedClient, Description);
        }
    }

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (await IsDisabledAsync(context.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.UnauthorizedClient, Description);
        }
    }

    private async Task<bool> IsDisabledAsync(string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId)
            || await applicationManager.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return false;
        }

        var properties = await applicationManager.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(ApplicationProperties.Disabled, out var disabled) && disabled.ValueKind == JsonValueKind.True;
    }
}
