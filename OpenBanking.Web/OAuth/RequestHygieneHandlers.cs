using System.Buffers;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenBanking.Web.Security;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Rejects OAuth requests whose parameters are malformed, before any lookup: a parameter sent
/// twice (RFC 6749 section 3.1), a value longer than <see cref="AuthorizationServerOptions.MaxParameterLength"/>,
/// a <c>state</c> longer than <see cref="AuthorizationServerOptions.MaxStateLength"/> or outside
/// the printable ASCII range RFC 6749 appendix A.5 allows, and any value with a control character
/// or the replacement character that malformed UTF-8 decodes to. Registered for every endpoint
/// that reads parameters. At the authorization endpoint the rejection renders the error page, so a
/// malformed state is never echoed to the client.
/// </summary>
internal sealed class RejectMalformedParameters<TContext>(IOptions<AuthorizationServerOptions> options)
    : IOpenIddictServerHandler<TContext> where TContext : BaseValidatingContext
{
    // Parameters that RFC 8707 (resource, audience) or the consent form (one granted_scope per
    // ticked box) legitimately repeat.
    private static readonly HashSet<string> RepeatableParameters =
        new(StringComparer.Ordinal) { Parameters.Resource, Parameters.Audience, "granted_scope" };

    // C0 controls, DEL, C1 controls and U+FFFD, the character ASP.NET Core substitutes for bytes
    // that are not valid UTF-8.
    private static readonly SearchValues<char> ForbiddenCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(code => (char)code), .. Enumerable.Range(0x7F, 0x21).Select(code => (char)code), '\uFFFD']);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<RejectMalformedParameters<TContext>>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractBasicAuthenticationCredentials<TContext>.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (context.Transaction.Request is not { } request)
        {
            return default;
        }

        if (context.Transaction.GetHttpRequest()?.HttpContext.Items.ContainsKey(RawParameterEncoding.MalformedMarker) == true)
        {
            RejectAndForgetState(context, request, RawParameterEncoding.ErrorDescription);
            return default;
        }

        var settings = options.Value;
        foreach (var (name, parameter) in request.GetParameters())
        {
            if (FindProblem(name, parameter, settings) is { } problem)
            {
                RejectAndForgetState(context, request, problem);
                return default;
            }
        }

        return default;
    }

    private static string? FindProblem(string name, OpenIddictParameter parameter, AuthorizationServerOptions settings)
    {
        var values = (StringValues)parameter;
        if (values.Count > 1 && !RepeatableParameters.Contains(name))
        {
            return $"The '{name}' parameter was sent more than once; send each parameter once.";
        }

        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            var maxLength = name == Parameters.State ? settings.MaxStateLength : settings.MaxParameterLength;
            if (value.Length > maxLength)
            {
                return $"The '{name}' parameter is longer than {maxLength} characters.";
            }

            if (value.AsSpan().ContainsAny(ForbiddenCharacters))
            {
                return $"The '{name}' parameter contains a control character or bytes that are not valid UTF-8.";
            }

            if (name == Parameters.State && value.AsSpan().ContainsAnyExceptInRange((char)0x20, (char)0x7E))
            {
                return "The 'state' parameter may contain only printable ASCII characters (RFC 6749 appendix A.5).";
            }
        }

        return null;
    }

    private static void RejectAndForgetState(TContext context, OpenIddictRequest request, string description)
    {
        // The error response must not carry a state that was refused or never checked.
        request.State = null;
        context.Reject(Errors.InvalidRequest, description);
    }
}

/// <summary>
/// Rejects a PKCE challenge that is not a SHA-256 digest in base64url, 43 characters long
/// (RFC 7636 section 4.2), at the authorization and pushed authorization endpoints.
/// </summary>
internal sealed class ValidateCodeChallengeFormat<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseValidatingContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<ValidateCodeChallengeFormat<TContext>>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        var challenge = context.Transaction.Request?.CodeChallenge;
        if (!string.IsNullOrEmpty(challenge) && !PkceSyntax.IsValidS256Challenge(challenge))
        {
            context.Reject(Errors.InvalidRequest,
                "The 'code_challenge' parameter must be the 43-character base64url SHA-256 digest of the code verifier.");
        }

        return default;
    }
}

/// <summary>
/// Rejects a code verifier shorter than 43 or longer than 128 characters, or with characters
/// outside A-Z, a-z, 0-9 and "-._~" (RFC 7636 section 4.1), before it is compared with the
/// challenge. OpenIddict 7.9 compares any string.
/// </summary>
internal sealed class ValidateCodeVerifierFormat : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ValidateCodeVerifierFormat>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var verifier = context.Request.CodeVerifier;
        if (!string.IsNullOrEmpty(verifier) && !PkceSyntax.IsValidVerifier(verifier))
        {
            context.Reject(Errors.InvalidRequest,
                "The 'code_verifier' parameter must be 43 to 128 characters from A-Z, a-z, 0-9 and \"-._~\".");
        }

        return default;
    }
}

/// <summary>The syntax rules of RFC 7636 for PKCE values.</summary>
internal static class PkceSyntax
{
    private static readonly SearchValues<char> UnreservedCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    private static readonly SearchValues<char> Base64UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool IsValidVerifier(string verifier) =>
        verifier.Length is >= 43 and <= 128 && !verifier.AsSpan().ContainsAnyExcept(UnreservedCharacters);

    public static bool IsValidS256Challenge(string challenge) =>
        challenge.Length == 43 && !challenge.AsSpan().ContainsAnyExcept(Base64UrlCharacters);
}

/// <summary>
/// Keeps the code verifier out of the "token request was extracted" log line, which OpenIddict
/// 7.9 writes at Information with every parameter except secrets, codes and tokens. The verifier
/// is moved to the transaction after extraction and put back before validation needs it.
/// </summary>
internal sealed class HideCodeVerifier : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    public const string PropertyName = "OpenBanking.CodeVerifier";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .UseSingletonHandler<HideCodeVerifier>()
            .SetOrder(RejectMalformedParameters<ExtractTokenRequestContext>.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        if (context.Request?.CodeVerifier is { } verifier)
        {
            context.Transaction.SetProperty(PropertyName, verifier);
            context.Request.CodeVerifier = null;
        }

        return default;
    }
}

/// <summary>Puts back the code verifier that <see cref="HideCodeVerifier"/> set aside.</summary>
internal sealed class RestoreCodeVerifier : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RestoreCodeVerifier>()
            .SetOrder(int.MinValue)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (context.Transaction.GetProperty<string>(HideCodeVerifier.PropertyName) is { } verifier)
        {
            context.Request.CodeVerifier = verifier;
        }

        return default;
    }
}
