using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Tests.OAuth;

/// <summary>Client secrets stored as SHA-256, and secrets stored by earlier versions as PBKDF2.</summary>
public sealed class ClientSecretTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string ClientId = "ref-cc-client";
    private const string ClientSecret = "ref-cc-secret-0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task SeededSecret_IsStoredAsSha256()
    {
        var stored = await ReadStoredSecretAsync();

        var expected = "sha256:" + Convert.ToBase64String(SHA256.HashData("ref-cc-secret-0123456789abcdef0123456789abcdef"u8));
        Assert.Equal(expected, stored);
    }

    [Fact]
    public async Task RightSecret_IssuesToken()
    {
        var response = await RequestTokenAsync(ClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("access_token").GetString()));
    }

    [Theory]
    [InlineData("ref-cc-secret-0123456789abcdef0123456789abcdeX")]
    [InlineData("ref-cc-secret")]
    [InlineData("sha256:jWF6q8N0ZbPtnGZy2bSLZcQdeGYYhmwLxexCnwm5rGg=")]
    public async Task WrongSecret_IsInvalidClient(string secret)
    {
        var response = await RequestTokenAsync(secret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task LegacyPbkdf2Secret_VerifiesAndIsRewritten()
    {
        await StoreSecretAsync(Pbkdf2Hash(ClientSecret));

        var wrong = await RequestTokenAsync("ref-cc-secret-wrong");
        var stillLegacy = await ReadStoredSecretAsync();
        var right = await RequestTokenAsync(ClientSecret);
        var rewritten = await ReadStoredSecretAsync();
        var again = await RequestTokenAsync(ClientSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.DoesNotContain(':', stillLegacy);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.StartsWith("sha256:", rewritten, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    // OpenIddict's PBKDF2 format (shared with ASP.NET Core Identity's version 3 hashes): marker
    // 0x01, then big-endian PRF id (1 = HMAC-SHA256), iteration count and salt length, the salt,
    // and the derived key, all in Base64.
    private static string Pbkdf2Hash(string secret)
    {
        const int iterations = 10_000;
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Rfc2898DeriveBytes.Pbkdf2(secret, salt, iterations, HashAlgorithmName.SHA256, 32);
        var payload = new byte[13 + salt.Length + key.Length];
        payload[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), 1);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(5), iterations);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(9), (uint)salt.Length);
        salt.CopyTo(payload, 13);
        key.CopyTo(payload, 13 + salt.Length);
        return Convert.ToBase64String(payload);
    }

    private Task<HttpResponseMessage> RequestTokenAsync(string secret) =>
        new OAuthFlow(factory).PostTokenAsync(new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = secret,
            ["scope"] = "read",
        });

    private async Task<string> ReadStoredSecretAsync()
    {
        await using var db = factory.CreateDbContext();
        return await db.Set<OpenIddictEntityFrameworkCoreApplication>()
            .Where(application => application.ClientId == ClientId)
            .Select(application => application.ClientSecret!)
            .SingleAsync();
    }

    private async Task StoreSecretAsync(string secret)
    {
        await using var db = factory.CreateDbContext();
        await db.Set<OpenIddictEntityFrameworkCoreApplication>()
            .Where(application => application.ClientId == ClientId)
            .ExecuteUpdateAsync(setters => setters.SetProperty(application => application.ClientSecret, secret));
    }
}
