using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// OpenIddict's application manager with two changes: client secrets are stored as SHA-256
/// digests, and an application may register its private_key_jwt public keys by address.
/// </summary>
/// <remarks>
/// <para>
/// Secrets: an unsalted SHA-256 digest (<c>sha256:</c> followed by Base64) replaces OpenIddict's
/// default PBKDF2 with 10,000 iterations, which cost about 4 ms of CPU per token request. A slow,
/// salted hash protects guessable passwords. Client secrets that this product generates carry
/// 256 random bits, which no dictionary holds and no search over 2^256 values can find, so a
/// single SHA-256 is as strong for them. A secret chosen by a person (such as the Development
/// fixtures) gets no such protection: generate production secrets. Secrets stored in PBKDF2
/// form still verify, and are rewritten in the new form after their first successful check.
/// </para>
/// <para>
/// Keys: besides the key set stored on the application, the property
/// <see cref="ApplicationSecurity.JwksUriProperty"/> may name a JWKS address, which is fetched
/// when OpenIddict validates a client assertion.
/// </para>
/// </remarks>
internal sealed partial class BankApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<BankApplicationManager> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    JwksDocumentClient documents)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public const string Prefix = "sha256:";

    /// <summary>Returns the stored form of <paramref name="secret"/>.</summary>
    public static string Hash(string secret) =>
        Prefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        var stored = await Store.GetClientSecretAsync(application, cancellationToken);
        var valid = await base.ValidateClientSecretAsync(application, secret, cancellationToken);
        if (valid && stored is not null && !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            await UpgradeAsync(application, secret, cancellationToken);
        }

        return valid;
    }

    protected override ValueTask<string> ObfuscateClientSecretAsync(string secret, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return new(Hash(secret));
    }

    protected override ValueTask<bool> ValidateClientSecretAsync(
        string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (!comparand.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return base.ValidateClientSecretAsync(secret, comparand, cancellationToken);
        }

        // Both sides are 44 characters of Base64, so the comparison time depends on neither secret.
        var expected = Encoding.ASCII.GetBytes(comparand);
        var actual = Encoding.ASCII.GetBytes(Hash(secret));
        return new(CryptographicOperations.FixedTimeEquals(expected, actual));
    }

    private async Task UpgradeAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken)
    {
        try
        {
            await Store.SetClientSecretAsync(application, Hash(secret), cancellationToken);
            await Store.UpdateAsync(application, cancellationToken);
            LogSecretUpgraded(logger, application.ClientId);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            // Another request upgraded (or an operator changed) the secret first, and that write is kept.
            LogSecretUpgradeSkipped(logger, application.ClientId);
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information,
        Message = "Client secret of {ClientId} rewritten from PBKDF2 to SHA-256 after a successful check")]
    private static partial void LogSecretUpgraded(ILogger logger, string? clientId);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information,
        Message = "Client secret of {ClientId} not rewritten: the application changed concurrently")]
    private static partial void LogSecretUpgradeSkipped(ILogger logger, string? clientId);

    public override async ValueTask<JsonWebKeySet?> GetJsonWebKeySetAsync(
        OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        var stored = await base.GetJsonWebKeySetAsync(application, cancellationToken);
        if (stored is not null)
        {
            return stored;
        }

        var uri = await this.GetJwksUriAsync(application, cancellationToken);
        return uri is null ? null : await documents.GetAsync(uri, cancellationToken);
    }

    /// <summary>
    /// Validates the application as OpenIddict does, except that a confidential application with
    /// a JWKS address needs neither a client secret nor a stored key set: the keys are fetched
    /// from the address when the client authenticates.
    /// </summary>
    public override async IAsyncEnumerable<ValidationResult> ValidateAsync(
        OpenIddictEntityFrameworkCoreApplication application,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var missingCredential = OpenIddictResources.GetResourceString(OpenIddictResources.ID2113);
        var hasJwksUri = await this.GetJwksUriAsync(application, cancellationToken) is not null;
        await foreach (var result in base.ValidateAsync(application, cancellationToken))
        {
            if (hasJwksUri && result.ErrorMessage == missingCredential)
            {
                continue;
            }

            yield return result;
        }
    }
}
