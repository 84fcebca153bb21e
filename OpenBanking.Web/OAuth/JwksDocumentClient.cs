using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Fetches and caches applications' JWKS documents. Only HTTPS addresses are fetched, except
/// loopback addresses in Development; documents over 64 KiB and slow servers are rejected.
/// </summary>
public sealed partial class JwksDocumentClient(
    IHttpClientFactory httpClientFactory,
    IMemoryCache cache,
    IOptions<AuthorizationServerOptions> options,
    IHostEnvironment environment,
    ILogger<JwksDocumentClient> logger)
{
    public const string HttpClientName = "jwks";

    private const int MaxDocumentBytes = 64 * 1024;

    /// <summary>Returns the key set published at <paramref name="uri"/>, or null when it cannot be had.</summary>
    public async Task<JsonWebKeySet?> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (!IsAllowed(uri))
        {
            LogRefused(logger, uri);
            return null;
        }

        if (cache.TryGetValue(uri, out JsonWebKeySet? cached))
        {
            return cached;
        }

        var keys = await FetchAsync(uri, cancellationToken);
        if (keys is not null && options.Value.JwksCacheSeconds > 0)
        {
            cache.Set(uri, keys, TimeSpan.FromSeconds(options.Value.JwksCacheSeconds));
        }

        return keys;
    }

    private bool IsAllowed(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps
        || (environment.IsDevelopment() && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);

    private async Task<JsonWebKeySet?> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.JwksFetchTimeoutSeconds));
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentLength > MaxDocumentBytes)
            {
                LogFetchFailed(logger, uri, $"status {(int)response.StatusCode}, {response.Content.Headers.ContentLength} bytes");
                return null;
            }

            var json = await ReadLimitedAsync(response.Content, timeout.Token);
            return json is null ? null : new JsonWebKeySet(json);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or ArgumentException)
        {
            LogFetchFailed(logger, uri, exception.GetType().Name + ": " + exception.Message);
            return null;
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxDocumentBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > MaxDocumentBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    [LoggerMessage(EventId = 7404, Level = LogLevel.Warning,
        Message = "JWKS address {JwksUri} is not fetched: only HTTPS is allowed (loopback HTTP in Development)")]
    private static partial void LogRefused(ILogger logger, Uri jwksUri);

    [LoggerMessage(EventId = 7405, Level = LogLevel.Warning, Message = "Fetching the JWKS document at {JwksUri} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, Uri jwksUri, string reason);
}
