using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenBanking.Web.Audit;

namespace OpenBanking.Web.Security;

public static partial class RateLimitingExtensions
{
    /// <summary>
    /// Registers fixed-window rate limits per client IP address on the login page and the
    /// authorization and token endpoints (<see cref="RateLimitingSettings"/>). The limiter is
    /// global, so it also covers the endpoints OpenIddict answers without reaching a controller.
    /// </summary>
    public static IServiceCollection AddRequestRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(RateLimitingSettings.SectionName).Get<RateLimitingSettings>()
            ?? new RateLimitingSettings();
        services.AddOptions<RateLimitingSettings>()
            .Bind(configuration.GetSection(RateLimitingSettings.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMemoryCache();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(
                context => SelectPartition(context, settings));
            options.OnRejected = RejectAsync;
        });

        return services;
    }

    private static RateLimitPartition<string> SelectPartition(HttpContext context, RateLimitingSettings settings)
    {
        var group = settings.Enabled ? FindGroup(context.Request.Path, context.Request.Method) : null;
        var limit = group switch
        {
            "login" => settings.Login,
            "authorize" => settings.Authorize,
            "token" => settings.Token,
            _ => null,
        };
        if (limit is null)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        // NOTE: behind a reverse proxy every request shares the proxy's address unless the
        // forwarded headers middleware is configured to restore the client's.
        var key = group + ":" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.WindowSeconds),
            QueueLimit = 0,
        });
    }

    private static string? FindGroup(PathString path, string method)
    {
        if (path.StartsWithSegments("/Identity/Account/Login", StringComparison.OrdinalIgnoreCase))
        {
            // Only password submissions count; showing the form costs nothing.
            return HttpMethods.IsPost(method) ? "login" : null;
        }

        if (path.StartsWithSegments("/o/authorize", StringComparison.Ordinal)
            || path.StartsWithSegments("/o/par", StringComparison.Ordinal))
        {
            return "authorize";
        }

        return path.StartsWithSegments("/o/token", StringComparison.Ordinal)
            || path.StartsWithSegments("/o/revoke_token", StringComparison.Ordinal)
            || path.StartsWithSegments("/o/introspect", StringComparison.Ordinal)
                ? "token"
                : null;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? (int)Math.Ceiling(wait.TotalSeconds)
            : 60;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        await RecordOncePerWindowAsync(context, retryAfter, cancellationToken);

        var message = $"Too many requests. Try again in {retryAfter} seconds.";
        if (FindGroup(context.Request.Path, context.Request.Method) == "token")
        {
            // The token, revocation and introspection endpoints answer in RFC 6749 error JSON.
            // temporarily_unavailable is the error RFC 6749 section 4.1.2.1 defines for a server
            // that cannot take the request now.
            await context.Response.WriteAsJsonAsync(
                new Dictionary<string, string> { ["error"] = "temporarily_unavailable", ["error_description"] = message },
                cancellationToken);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message, cancellationToken);
    }

    // Writes one audit event per client address and endpoint group per window, so a flood of
    // rejected requests cannot turn into a flood of database writes.
    private static async Task RecordOncePerWindowAsync(HttpContext context, int retryAfter, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var group = FindGroup(context.Request.Path, context.Request.Method) ?? "other";
        var cache = services.GetRequiredService<IMemoryCache>();
        var cacheKey = $"rate-limited:{group}:{address}";
        if (cache.TryGetValue(cacheKey, out _))
        {
            return;
        }

        cache.Set(cacheKey, true, TimeSpan.FromSeconds(Math.Max(retryAfter, 1)));
        var clientId = FindClientId(context.Request);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimitingExtensions));
        LogRateLimited(logger, group, address, clientId);
        await services.GetRequiredService<AuditLog>().RecordAsync(new AuditEvent
        {
            Action = AuditActions.RateLimited,
            ActorName = clientId ?? address,
            ClientId = clientId,
            SubjectType = "endpoint",
            SubjectId = group,
            Details = $"Requests to the {group} endpoints from {address} were rejected with 429 for {retryAfter} s.",
        }, cancellationToken);
    }

    // The client id from the query or HTTP Basic credentials; the body is not read for a
    // rejected request.
    private static string? FindClientId(HttpRequest request)
    {
        if (request.Query.TryGetValue("client_id", out var fromQuery) && fromQuery.Count == 1)
        {
            return fromQuery[0];
        }

        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return null;
        }

        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var separator = credentials.IndexOf(':', StringComparison.Ordinal);
            return separator > 0 ? Uri.UnescapeDataString(credentials[..separator]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 7411, Level = LogLevel.Warning,
        Message = "Rate limit reached on the {Group} endpoints by {Address} (client {ClientId})")]
    private static partial void LogRateLimited(ILogger logger, string group, string address, string? clientId);
}
