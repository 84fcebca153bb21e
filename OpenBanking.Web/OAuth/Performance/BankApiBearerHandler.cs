using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;

namespace OpenBanking.Web.OAuth.Performance;

/// <summary>
/// The bank API's authentication scheme: OpenIddict's access token validation, with a fast path
/// for a token it has already accepted. The fast path returns the principal OpenIddict built
/// for that token text after checking, on every request, what can change about an accepted
/// token: its expiry (with the configured clock skew) and its revocation, which is the state of
/// its token entry and authorization in <see cref="TokenValidationCache"/>. Any other case,
/// including a cache entry dropped by a write, goes through OpenIddict's whole pipeline.
/// Challenges and forbids go to OpenIddict, so the WWW-Authenticate responses stay its own.
/// </summary>
public sealed class BankApiBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<OpenIddictValidationOptions> validationOptions,
    TokenValidationCache entries,
    AcceptedTokens accepted)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BankApiBearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadBearerToken();
        if (token is not null && accepted.Find(token) is { } known && IsStillValid(known))
        {
            return Success(known.Principal);
        }

        var result = await Context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (!result.Succeeded || result.Principal is null)
        {
            return result.None ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.Failure ?? new InvalidOperationException("The access token was rejected."));
        }

        if (token is not null && result.Principal.GetTokenId() is { } tokenId)
        {
            accepted.Add(token, new AcceptedToken(
                result.Principal, tokenId, result.Principal.GetAuthorizationId(), result.Principal.GetExpirationDate()));
        }

        return Success(result.Principal);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.ChallengeAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme, properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.ForbidAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme, properties);

    private AuthenticateResult Success(ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(TokenValidationCache.DeepCopy(principal), Scheme.Name));

    // Only the Authorization header carries a token, with the scheme name in any case, as
    // OpenIddict is configured to read it.
    private string? ReadBearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.Length > 7 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : null;
    }

    private bool IsStillValid(AcceptedToken known)
    {
        var validation = validationOptions.CurrentValue;
        var now = validation.TimeProvider?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        if (known.ExpiresAt is { } expires && expires.Add(validation.TokenValidationParameters.ClockSkew) < now)
        {
            return false;
        }

        // A missing entry means a write dropped it: OpenIddict reads the database again.
        if (!entries.TryGetToken(known.TokenId, out var entry) || !entry.IsValid)
        {
            return false;
        }

        return known.AuthorizationId is null
            || (entries.TryGetAuthorization(known.AuthorizationId, out var valid) && valid);
    }
}

/// <summary>Access tokens that OpenIddict accepted, by token text, with what decides whether they still are.</summary>
public sealed class AcceptedTokens
{
    private readonly ConcurrentDictionary<string, AcceptedToken> _tokens = new(StringComparer.Ordinal);

    public AcceptedToken? Find(string token) => _tokens.TryGetValue(token, out var known) ? known : null;

    public void Add(string token, AcceptedToken known)
    {
        if (_tokens.Count >= TokenValidationCache.MaxEntries)
        {
            _tokens.Clear();
        }

        _tokens[token] = known;
    }
}

/// <summary>An accepted access token: OpenIddict's principal and the ids and expiry checked on each use.</summary>
public sealed record AcceptedToken(ClaimsPrincipal Principal, string TokenId, string? AuthorizationId, DateTimeOffset? ExpiresAt);
