using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Security headers: CSP with frame-ancestors 'none' on login and consent, no Referer from pages
/// that carry codes, no caching of token responses, and HSTS outside Development.
/// </summary>
public sealed class BrowserHardeningTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    public static TheoryData<string> Pages { get; } = ["login", "consent", "authorize redirect", "callback", "error page", "home"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_CarriesSecurityHeaders(string page)
    {
        var response = await FetchAsync(page);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    public static TheoryData<string> TokenResponses { get; } = ["success", "error"];

    [Theory]
    [MemberData(nameof(TokenResponses))]
    public async Task TokenResponse_IsNeverCached(string outcome)
    {
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await flow.GetCodeAsync(pkce);

        var response = await flow.ExchangeCodeAsync(code, outcome == "success" ? pkce.Verifier : Pkce.Create().Verifier);

        Assert.Equal(outcome == "success" ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store is missing");
        Assert.Contains("no-cache", response.Headers.Pragma.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_SendsNoHsts()
    {
        var response = await factory.CreateBrowserlessClient().GetAsync("/Identity/Account/Login");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    private async Task<HttpResponseMessage> FetchAsync(string page)
    {
        var flow = new OAuthFlow(factory);
        switch (page)
        {
            case "login":
                return await flow.Browser.GetAsync("/Identity/Account/Login");
            case "home":
                return await flow.Browser.GetAsync("/");
            case "callback":
                return await flow.Browser.GetAsync("/callback/?code=abc&state=xyz");
            case "error page":
                return await flow.Browser.GetAsync("/o/authorize/?client_id=no-such-client");
        }

        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        var parameters = OAuthFlow.AuthorizationParameters(Pkce.Create());
        parameters["prompt"] = "consent";
        var consent = await flow.AuthorizeAsync(parameters);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        if (page == "consent")
        {
            return consent;
        }

        var redirect = await flow.SubmitConsentAsync(consent, allow: true);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        return redirect;
    }
}

/// <summary>Outside Development, HTTPS responses carry HSTS for a year, subdomains included.</summary>
public sealed class ProductionHstsTests(ProductionHstsTests.Factory factory) : IClassFixture<ProductionHstsTests.Factory>
{
    [Fact]
    public async Task Production_HttpsResponse_CarriesHsts()
    {
        var response = await factory.CreateBrowserlessClient().GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Equal("max-age=31536000; includeSubDomains", hsts);
    }

    /// <summary>The host in Production, with throwaway signing and encryption certificates.</summary>
    public sealed class Factory : OpenBankingFactory
    {
        private readonly string _certificates = Path.Combine(Path.GetTempPath(), "openbanking-certs-" + Guid.NewGuid().ToString("N"));

        protected override Uri ClientBaseAddress => new("https://bank.test");

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["AuthorizationServer:SigningCertificate:Path"] = CreateCertificate("signing", X509KeyUsageFlags.DigitalSignature),
            ["AuthorizationServer:EncryptionCertificate:Path"] = CreateCertificate("encryption", X509KeyUsageFlags.KeyEncipherment),
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Directory.Exists(_certificates))
            {
                Directory.Delete(_certificates, recursive: true);
            }
        }

        private string CreateCertificate(string name, X509KeyUsageFlags usage)
        {
            Directory.CreateDirectory(_certificates);
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN=OpenBanking test {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            var path = Path.Combine(_certificates, name + ".pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
            return path;
        }
    }
}
