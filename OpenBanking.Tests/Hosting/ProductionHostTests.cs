using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Web.Data;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Tests.Hosting;

/// <summary>The host outside Development: keys from configuration, HTTPS only, nothing seeded.</summary>
public sealed class ProductionHostTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openbanking-tests", Guid.NewGuid().ToString("N"));

    public ProductionHostTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Production_SeedsNothingButBuiltInScopes()
    {
        await using var factory = CreateFactory();

        await using var db = factory.Services.GetRequiredService<IDbContextFactory<BankDbContext>>().CreateDbContext();
        Assert.Equal(0, await db.Users.CountAsync());
        Assert.Equal(0, await db.Set<OpenIddictEntityFrameworkCoreApplication>().CountAsync());
        Assert.Equal(0, await db.Accounts.CountAsync());
        var scopes = await db.Set<OpenIddictEntityFrameworkCoreScope>().Select(scope => scope.Name).OrderBy(name => name).ToListAsync();
        Assert.Equal(["email", "openid", "payments", "profile", "read", "write"], scopes);
    }

    [Fact]
    public async Task Production_RequiresHttps()
    {
        await using var factory = CreateFactory();
        // HSTS skips localhost by design, so the requests name a real-looking host.
        var http = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri("http://bank.example"),
        });
        var https = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri("https://bank.example"),
        });

        var plain = await http.GetAsync("/.well-known/openid-configuration");
        var secure = await https.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https", plain.Headers.Location!.Scheme);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.True(secure.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public void Production_WithoutCertificates_FailsToStart()
    {
        using var factory = CreateFactory(withCertificates: false);

        var error = Assert.Throws<InvalidOperationException>(() => factory.Services);
        Assert.Contains("AuthorizationServer:SigningCertificate:Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAdmin_CreatesOperatorWhoCanSignIn()
    {
        await using var factory = CreateFactory();

        var exitCode = await OpenBanking.Web.Hosting.AdminCommand.RunAsync(
            factory.Services, ["create-admin", "--email", "ops@bank.example"], new StringReader("ops-passphrase-123\n"));

        Assert.Equal(0, exitCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<BankUser>>();
        var user = await users.FindByEmailAsync("ops@bank.example");
        Assert.NotNull(user);
        Assert.True(await users.IsInRoleAsync(user, "Admin"));
        Assert.True(await users.CheckPasswordAsync(user, "ops-passphrase-123"));
    }

    [Fact]
    public async Task CreateAdmin_WithoutEmail_ExitsWithUsage()
    {
        await using var factory = CreateFactory();

        var exitCode = await OpenBanking.Web.Hosting.AdminCommand.RunAsync(factory.Services, ["create-admin"], new StringReader(""));

        Assert.Equal(2, exitCode);
    }

    private WebApplicationFactory<Program> CreateFactory(bool withCertificates = true)
    {
        var signing = CreateCertificateFile("signing", X509KeyUsageFlags.DigitalSignature);
        var encryption = CreateCertificateFile("encryption", X509KeyUsageFlags.KeyEncipherment);
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:OpenBanking", $"Data Source={Path.Combine(_directory, "production.db")}");
            builder.UseSetting("https_port", "443");
            if (withCertificates)
            {
                builder.UseSetting("AuthorizationServer:SigningCertificate:Path", signing);
                builder.UseSetting("AuthorizationServer:SigningCertificate:Password", "test");
                builder.UseSetting("AuthorizationServer:EncryptionCertificate:Path", encryption);
                builder.UseSetting("AuthorizationServer:EncryptionCertificate:Password", "test");
            }
        });
    }

    private string CreateCertificateFile(string name, X509KeyUsageFlags usage)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=OpenBanking test {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_directory, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "test"));
        return path;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
