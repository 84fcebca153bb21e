using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenBanking.Tests.Security;

/// <summary>Registers test applications and drives the code flow for any of them.</summary>
public static class SecurityTestKit
{
    public const string TestSecret = "test-secret-0123456789abcdef0123456789abcdef";

    /// <summary>
    /// A confidential application with every endpoint and grant the server offers, the three
    /// bank scopes, and the given redirect URIs.
    /// </summary>
    public static OpenIddictApplicationDescriptor Confidential(string clientId, params string[] redirectUris)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = TestSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = "Test application " + clientId,
        };
        AddStandardPermissions(descriptor);
        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        return descriptor;
    }

    /// <summary>A public application (no secret) with the code flow and the three bank scopes.</summary>
    public static OpenIddictApplicationDescriptor Public(string clientId, string redirectUri)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = "Public test application " + clientId,
            RedirectUris = { new Uri(redirectUri) },
        };
        AddStandardPermissions(descriptor);
        descriptor.Permissions.Remove(Permissions.Endpoints.Introspection);

        return descriptor;
    }

    public static void AddStandardPermissions(OpenIddictApplicationDescriptor descriptor)
    {
        foreach (var permission in new[]
        {
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.Endpoints.Introspection, Permissions.Endpoints.PushedAuthorization,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Prefixes.Scope + "read", Permissions.Prefixes.Scope + "write", Permissions.Prefixes.Scope + "payments",
        })
        {
            descriptor.Permissions.Add(permission);
        }
    }

    public static async Task CreateApplicationAsync(this OpenBankingFactory factory, OpenIddictApplicationDescriptor descriptor)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await manager.CreateAsync(descriptor);
    }

    /// <summary>Authorization request parameters for <paramref name="clientId"/> with a fresh state.</summary>
    public static Dictionary<string, string?> AuthorizationParameters(
        string clientId, string redirectUri, Pkce pkce, string? scope = "read write payments") => new()
    {
        ["client_id"] = clientId,
        ["response_type"] = "code",
        ["redirect_uri"] = redirectUri,
        ["code_challenge"] = pkce.Challenge,
        ["code_challenge_method"] = "S256",
        ["scope"] = scope,
        ["state"] = "state-" + Guid.NewGuid().ToString("N"),
    };

    /// <summary>
    /// Sends the (already signed in) browser through authorization and consent and returns the
    /// query the application received at <paramref name="redirectUri"/>.
    /// </summary>
    public static async Task<Dictionary<string, string>> AuthorizeAndAllowAsync(
        this OAuthFlow flow, IDictionary<string, string?> parameters, string redirectUri)
    {
        var response = await flow.AuthorizeAsync(parameters);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response = await flow.SubmitConsentAsync(response, allow: true);
        }

        return ReadRedirect(response, redirectUri);
    }

    /// <summary>Returns the query of a redirect to <paramref name="redirectUri"/>, failing on anything else.</summary>
    public static Dictionary<string, string> ReadRedirect(HttpResponseMessage response, string redirectUri)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith(redirectUri + "?", location, StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location[(redirectUri.Length + 1)..])
            .ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }

    public static Task<HttpResponseMessage> PostFormAsync(
        this HttpClient client, string path, IEnumerable<KeyValuePair<string, string?>> form) =>
        client.PostAsync(path, new FormUrlEncodedContent(form.Where(pair => pair.Value is not null)!));

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task<string?> ReadErrorAsync(this HttpResponseMessage response) =>
        (await response.ReadJsonAsync()).GetProperty("error").GetString();

    /// <summary>Returns the error code shown on the server's own OAuth error page.</summary>
    public static async Task<string?> ReadErrorPageCodeAsync(this HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var marker = "<code id=\"oauth-error\">";
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += marker.Length;
        return html[start..html.IndexOf("</code>", start, StringComparison.Ordinal)];
    }
}

/// <summary>A host whose database contains extra applications, created once before the first test.</summary>
public abstract class SeededFactory : OpenBankingFactory, IAsyncLifetime
{
    protected abstract IEnumerable<OpenIddictApplicationDescriptor> Applications { get; }

    public virtual async Task InitializeAsync()
    {
        foreach (var descriptor in Applications)
        {
            await this.CreateApplicationAsync(descriptor);
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeResourcesAsync();

    protected virtual Task DisposeResourcesAsync() => Task.CompletedTask;
}
