using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Audit;

namespace OpenBanking.Tests.Security;

/// <summary>The login page only returns to pages of this site, and locks an account after repeated failures.</summary>
public sealed class LoginTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    public static TheoryData<string> ForeignReturnUrls { get; } =
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "https:%2F%2Fevil.example",
        "https:/evil.example",
        "http:evil.example",
        "/\tevil.example",
        "/%09/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        "evil.example",
        "~//evil.example",
        "/\u3000/evil.example",
    ];

    [Theory]
    [MemberData(nameof(ForeignReturnUrls))]
    public async Task Login_ForeignReturnUrl_LandsOnLocalPage(string returnUrl)
    {
        var location = await LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword, returnUrl);

        // Resolved as a browser does (backslashes count as slashes), the target stays on this host.
        Assert.NotNull(location);
        Assert.False(Uri.TryCreate(location, UriKind.Absolute, out var absolute) && absolute.Scheme != "file",
            $"{returnUrl} led to the absolute address {location}");
        Assert.StartsWith("/", location, StringComparison.Ordinal);
        Assert.False(location.StartsWith("//", StringComparison.Ordinal) || location.StartsWith("/\\", StringComparison.Ordinal));
        Assert.Equal("localhost", new Uri(new Uri("http://localhost/"), location).Host);
    }

    public static TheoryData<string> LocalReturnUrls { get; } =
        ["/o/authorize/?client_id=ref-web-client&request_uri=urn%3Aexample", "/admin", "/callback/"];

    [Theory]
    [MemberData(nameof(LocalReturnUrls))]
    public async Task Login_LocalReturnUrl_IsKept(string returnUrl)
    {
        var location = await LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword, returnUrl);

        Assert.Equal(returnUrl, location);
    }

    [Fact]
    public async Task Login_RepeatedFailures_LockAccount()
    {
        var (email, password, _) = await factory.CreateCustomerAsync(0);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await LoginAsync(email, "wrong-password-" + attempt, "/", expectRedirect: attempt == 5);
        }

        var location = await LoginAsync(email, password, "/");

        Assert.StartsWith("/Identity/Account/Lockout", location, StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        var audit = await db.AuditEvents.Where(entry => entry.Action == AuditActions.LockedOut && entry.ActorName == email).ToListAsync();
        Assert.NotEmpty(audit);
        Assert.All(audit, entry => Assert.False(string.IsNullOrEmpty(entry.CorrelationId)));
    }

    // Returns the Location of the login response, or null when the page was shown again.
    private async Task<string?> LoginAsync(string email, string password, string returnUrl, bool expectRedirect = true)
    {
        var browser = factory.CreateBrowserlessClient();
        var path = QueryHelpers.AddQueryString("/Identity/Account/Login", "returnUrl", returnUrl);
        var page = await browser.GetStringAsync(path);
        var response = await browser.PostAsync(path, new FormUrlEncodedContent(
        [
            KeyValuePair.Create("Input.Email", email),
            KeyValuePair.Create("Input.Password", password),
            KeyValuePair.Create("__RequestVerificationToken", HtmlForm.AntiforgeryToken(page)),
        ]));
        if (!expectRedirect)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return null;
        }

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }
}

/// <summary>
/// Login, authorization and token endpoints return 429 with Retry-After once a client address
/// exceeds the configured limit (here 3 requests a minute), and the first rejection is audited.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.Factory factory) : IClassFixture<RateLimitTests.Factory>
{
    // Each row is one limit; its endpoints share the count, and the fourth request is refused.
    public static TheoryData<string[]> EndpointGroups { get; } = new()
    {
        new[] { "POST /Identity/Account/Login", "POST /Identity/Account/Login", "POST /Identity/Account/Login", "POST /Identity/Account/Login" },
        new[] { "GET /o/authorize/?client_id=ref-web-client", "POST /o/par/", "GET /o/authorize/", "POST /o/par/" },
        new[] { "POST /o/token/", "POST /o/revoke_token/", "POST /o/introspect/", "POST /o/token/" },
    };

    [Theory]
    [MemberData(nameof(EndpointGroups))]
    public async Task Endpoint_OverLimit_Gets429WithRetryAfter(string[] requests)
    {
        var client = factory.CreateBrowserlessClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        foreach (var (method, path) in requests.Select(request => (request.Split(' ')[0], request.Split(' ')[1])))
        {
            last = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
            {
                Content = method == "POST" ? new FormUrlEncodedContent([KeyValuePair.Create("client_id", "ref-web-client")]) : null,
            });
            statuses.Add(last.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        var retryAfter = Assert.Single(last.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("no-store", last.Headers.CacheControl?.ToString());
        if (requests[^1].StartsWith("POST /o/token/", StringComparison.Ordinal))
        {
            var json = System.Text.Json.JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("temporarily_unavailable", json.GetProperty("error").GetString());
        }

        await using var db = factory.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(entry => entry.Action == AuditActions.RateLimited
            && entry.CorrelationId != null));
    }

    [Fact]
    public async Task LoginForm_Get_IsNotCounted()
    {
        var client = factory.CreateBrowserlessClient();

        var statuses = new List<HttpStatusCode>();
        for (var request = 0; request < 6; request++)
        {
            statuses.Add((await client.GetAsync("/Identity/Account/Login")).StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    public sealed class Factory : OpenBankingFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["RateLimiting:Login:PermitLimit"] = "3",
            ["RateLimiting:Authorize:PermitLimit"] = "3",
            ["RateLimiting:Token:PermitLimit"] = "3",
        };
    }
}
