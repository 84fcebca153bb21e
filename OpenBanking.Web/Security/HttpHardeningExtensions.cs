using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenBanking.Web.OAuth;

namespace OpenBanking.Web.Security;

public static partial class HttpHardeningExtensions
{
    /// <summary>
    /// Content-Security-Policy of every response. Scripts and styles come from this site only;
    /// inline style attributes stay allowed because MudBlazor renders them. No page may be
    /// framed, so login and consent cannot be overlaid by another site (clickjacking).
    /// </summary>
    /// <remarks>
    /// form-action is left out on purpose: Chromium applies it to the redirects that follow a
    /// form post, and the consent form's post ends in a redirect to the application.
    /// </remarks>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Registers HSTS (one year, subdomains included; applied outside Development) and data
    /// protection keys persisted to <see cref="DataProtectionSettings.KeysDirectory"/>, so sign-in
    /// cookies and antiforgery tokens survive a restart.
    /// </summary>
    public static IServiceCollection AddHttpHardening(
        this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });

        var settings = configuration.GetSection(DataProtectionSettings.SectionName).Get<DataProtectionSettings>()
            ?? new DataProtectionSettings();
        var directory = Path.GetFullPath(Path.Combine(environment.ContentRootPath, settings.KeysDirectory));
        Directory.CreateDirectory(directory);
        services.AddDataProtection()
            .SetApplicationName(settings.ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(directory));

        return services;
    }

    /// <summary>
    /// Adds the security headers to every response: Content-Security-Policy, X-Frame-Options,
    /// X-Content-Type-Options and Referrer-Policy: no-referrer, which keeps authorization codes
    /// and request URIs in page addresses out of the Referer header of any link or resource.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });

            return next(context);
        });

    /// <summary>
    /// Guards the OAuth endpoints (/o/) and the Identity pages before anything parses a request.
    /// A body over <see cref="AuthorizationServerOptions.MaxRequestBodyBytes"/> gets 413; a body
    /// without Content-Length is read into memory up to the limit first. Under /o/, a query or
    /// form whose percent-decoded bytes are not UTF-8 or contain control characters is refused
    /// with invalid_request: ASP.NET Core would keep the undecodable escapes as literal text, so a
    /// state would not come back byte for byte, or throw on %00 and answer 500. At the
    /// authorization endpoint a malformed query is only marked, so OpenIddict renders its error page.
    /// </summary>
    public static IApplicationBuilder UseRequestGuards(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            bool passed;
            try
            {
                passed = await PassesGuardsAsync(context);
            }
            catch (Exception exception) when (exception is BadHttpRequestException or IOException)
            {
                // Kestrel raises these for a body with malformed chunk framing, one that arrives too
                // slowly, or one cut short by the client. The request ends here with its status.
                var status = exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status400BadRequest;
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpHardeningExtensions));
                LogBodyReadFailed(logger, context.Request.Path, context.TraceIdentifier, status, exception.Message);
                if (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
                {
                    await WriteErrorAsync(context, status, "The request body could not be read.");
                }

                return;
            }

            if (passed)
            {
                await next(context);
            }
        });

    // Returns false after writing the error response of a request that fails a guard.
    private static async Task<bool> PassesGuardsAsync(HttpContext context)
    {
        var request = context.Request;
        var isOAuth = request.Path.StartsWithSegments("/o", StringComparison.Ordinal);
        if (!isOAuth && !request.Path.StartsWithSegments("/Identity", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<AuthorizationServerOptions>>().Value.MaxRequestBodyBytes;
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? HttpMethods.IsPost(request.Method);
        if (request.ContentLength > limit
            || (hasBody && request.ContentLength is null && !await TryBufferBodyAsync(context, limit)))
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {limit} bytes.");
            return false;
        }

        if (isOAuth && !await HasWellFormedParametersAsync(context))
        {
            if (!HttpMethods.IsGet(request.Method) || !request.Path.StartsWithSegments("/o/authorize", StringComparison.Ordinal))
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, RawParameterEncoding.ErrorDescription);
                return false;
            }

            context.Items[RawParameterEncoding.MalformedMarker] = true;
        }

        return true;
    }

    private static async Task<bool> HasWellFormedParametersAsync(HttpContext context)
    {
        var request = context.Request;
        if (!RawParameterEncoding.IsWellFormed(System.Text.Encoding.UTF8.GetBytes(request.QueryString.Value ?? string.Empty)))
        {
            return false;
        }

        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return true;
        }

        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        request.Body.Position = 0;

        return RawParameterEncoding.IsWellFormed(body.GetBuffer().AsSpan(0, (int)body.Length));
    }

    private static async Task<bool> TryBufferBodyAsync(HttpContext context, int limit)
    {
        // The loop enforces the limit on the body's bytes. Kestrel's own MaxRequestBodySize stays
        // as configured, because lowered to the limit it also rejected chunked bodies just under it.
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return false;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        context.Request.Body = buffer;
        context.Response.RegisterForDispose(buffer);
        return true;
    }

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string description)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";

        // RFC 6749 section 5.1 asks token responses not to be cached, and errors are no exception.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var body = new Dictionary<string, string>
        {
            ["error"] = "invalid_request",
            ["error_description"] = description,
        };

        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information,
        Message = "Request body of {Path} could not be read (trace {TraceId}), answered {StatusCode}: {Reason}")]
    private static partial void LogBodyReadFailed(ILogger logger, PathString path, string traceId, int statusCode, string reason);
}

/// <summary>Where data protection keys are kept, bound from the <c>DataProtection</c> section.</summary>
public sealed class DataProtectionSettings
{
    public const string SectionName = "DataProtection";

    /// <summary>
    /// Directory of the key ring, relative to the content root unless rooted. It holds the keys
    /// that protect sign-in cookies and antiforgery tokens, so only the service account may read it.
    /// </summary>
    public string KeysDirectory { get; set; } = "App_Data/keys";

    /// <summary>Name that isolates this product's keys; hosts that share cookies must use the same one.</summary>
    public string ApplicationName { get; set; } = "OpenBanking";
}
