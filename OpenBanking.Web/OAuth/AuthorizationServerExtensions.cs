using System.Security.Cryptography.X509Certificates;
using OpenBanking.Web.Data;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OpenBanking.Web.OAuth;

public static class AuthorizationServerExtensions
{
    /// <summary>
    /// Registers OpenIddict as the OAuth 2.0 and OpenID Connect server at the /o/ paths, and its
    /// validation handler that authenticates bearer tokens on the bank API.
    /// </summary>
    public static IServiceCollection AddAuthorizationServer(
        this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = BindSettings(configuration);
        services.AddOptions<AuthorizationServerOptions>()
            .Bind(configuration.GetSection(AuthorizationServerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddHttpContextAccessor();
        services.AddScoped<PrincipalFactory>();
        services.AddSingleton<OpenBanking.Web.OAuth.Performance.ScopeResourceCache>();
        services.AddScoped<ConsentViewModelFactory>();
        services.AddScoped<ConsentFormBinding>();
        services.AddScoped<ScopeDescriptions>();
        services.AddScoped<GrantService>();
        services.AddMemoryCache();
        services.AddHttpClient(JwksDocumentClient.HttpClientName);
        services.AddSingleton<JwksDocumentClient>();

        services.AddOpenIddict()
            // Applications, authorizations, scopes and tokens live in the product's own database.
            .AddCore(options =>
            {
                options.UseEntityFrameworkCore().UseDbContext<BankDbContext>();

                // Applications may register their private_key_jwt keys by JWKS address as well as by value.
                options.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, BankApplicationManager>();
                options.ReplaceScopeManager<OpenIddictEntityFrameworkCoreScope, OpenBanking.Web.OAuth.Performance.BankScopeManager>();
            })
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("o/authorize/")
                    .SetTokenEndpointUris("o/token/")
                    .SetRevocationEndpointUris("o/revoke_token/")
                    .SetIntrospectionEndpointUris("o/introspect/")
                    .SetPushedAuthorizationEndpointUris("o/par/")
                    .SetConfigurationEndpointUris(
                        ".well-known/openid-configuration", ".well-known/oauth-authorization-server")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");

                if (settings.Issuer is not null)
                {
                    options.SetIssuer(settings.Issuer);
                }

                // Authorization code with PKCE for third-party apps, client credentials for the
                // bank's own machine clients, and rotating refresh tokens (rolling is the default).
                options.AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow()
                    .RequireProofKeyForCodeExchange();

                // PKCE with S256 only: 'plain' sends the verifier's equivalent over the front channel.
                options.Configure(server =>
                {
                    server.CodeChallengeMethods.Clear();
                    server.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });

                // Only the prompt values the authorization endpoint acts on, so discovery lists
                // exactly those and any other value is rejected.
                options.Configure(server =>
                {
                    server.PromptValues.Clear();
                    server.PromptValues.UnionWith([PromptValues.None, PromptValues.Consent]);
                });

                // Codes come back in the query or the fragment. form_post is off: its self-posting
                // page needs an inline script, which the pages' Content-Security-Policy forbids.
                options.Configure(server => server.ResponseModes.Remove(ResponseModes.FormPost));

                options.RegisterScopes([.. BankScopes.All.Select(scope => scope.Name), .. BankScopes.OpenIdScopes.Select(scope => scope.Name)]);

                options.SetAccessTokenLifetime(TimeSpan.FromSeconds(settings.AccessTokenLifetimeSeconds))
                    .SetRefreshTokenLifetime(TimeSpan.FromSeconds(settings.RefreshTokenLifetimeSeconds))
                    .SetAuthorizationCodeLifetime(TimeSpan.FromSeconds(settings.AuthorizationCodeLifetimeSeconds))
                    .SetRefreshTokenReuseLeeway(TimeSpan.FromSeconds(settings.RefreshTokenReuseLeewaySeconds));

                // Codes live at most AuthorizationCodeLifetimeSeconds (60 s or less) even for
                // an application whose own token lifetime setting is longer.
                options.AddEventHandler(CapAuthorizationCodeLifetime.Descriptor);

                // The authorization request is stored server-side and the browser carries only a
                // request_uri, so the consent form approves exactly the request that was shown.
                options.EnableAuthorizationRequestCaching();

                AddKeys(options, settings, environment);
                AddEventHandlers(options);

                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableStatusCodePagesIntegration()
                    .SuppressJsonResponseIndentation();

                if (environment.IsDevelopment())
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(options =>
            {
                // Expiry is enforced with the configured clock skew only (at most 30 s).
                options.Configure(validation => validation.TokenValidationParameters.ClockSkew =
                    TimeSpan.FromSeconds(settings.ClockSkewSeconds));

                // Access tokens are validated in-process with the server's own keys. Each one is
                // also checked against its token entry and its authorization in the database, so a
                // revoked token or a withdrawn grant is rejected on the very next request.
                options.UseLocalServer();
                options.EnableTokenEntryValidation();
                options.EnableAuthorizationEntryValidation();
                options.AddAudiences(BankScopes.ApiResource);

                // RFC 6750 allows the form body and the query string too, but tokens there end up
                // in logs, caches and Referer headers: only the Authorization header is read.
                options.UseAspNetCore()
                    .DisableAccessTokenExtractionFromBodyForm()
                    .DisableAccessTokenExtractionFromQueryString();
            });

        return services;
    }

    private static AuthorizationServerOptions BindSettings(IConfiguration configuration) =>
        configuration.GetSection(AuthorizationServerOptions.SectionName).Get<AuthorizationServerOptions>()
        ?? new AuthorizationServerOptions();

    private static void AddKeys(
        OpenIddictServerBuilder options, AuthorizationServerOptions settings, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            // Self-signed certificates kept in the current user's certificate store.
            options.AddDevelopmentEncryptionCertificate().AddDevelopmentSigningCertificate();
            return;
        }

        options.AddSigningCertificate(LoadCertificate(settings.SigningCertificate, "SigningCertificate"));
        options.AddEncryptionCertificate(LoadCertificate(settings.EncryptionCertificate, "EncryptionCertificate"));
    }

    private static X509Certificate2 LoadCertificate(CertificateOptions? certificate, string name)
    {
        var key = $"{AuthorizationServerOptions.SectionName}:{name}:Path";
        if (string.IsNullOrWhiteSpace(certificate?.Path))
        {
            throw new InvalidOperationException(
                $"Configuration value '{key}' is missing. Outside Development the server signs and encrypts "
                + "tokens only with certificates from configuration: set it to a PKCS#12 (.pfx) file.");
        }

        if (!File.Exists(certificate.Path))
        {
            throw new InvalidOperationException($"Certificate file '{certificate.Path}' set in '{key}' was not found.");
        }

        return X509CertificateLoader.LoadPkcs12FromFile(certificate.Path, certificate.Password);
    }

    private static void AddEventHandlers(OpenIddictServerBuilder options)
    {
        options.AddEventHandler(IssueRefreshTokens.Descriptor);
        options.AddEventHandler(DetectRedeemedTokenReuse.Descriptor);
        options.AddEventHandler(RedeemRefreshTokenOnce.Descriptor);
        options.AddEventHandler(RequireFapi2PushedAuthorization.Descriptor);
        options.AddEventHandler(RejectScopesBeyondGrant.Descriptor);
        options.AddEventHandler(RejectMultipleClientCredentials.Descriptor);
        options.AddEventHandler(RejectConflictingClientIds.Descriptor);
        options.AddEventHandler(RejectPublicClientSecret.Descriptor);
        options.AddEventHandler(RequireFapi2ClientAuthentication.Descriptor);
        options.AddEventHandler(ValidateCodeVerifierFormat.Descriptor);
        options.AddEventHandler(ValidateCodeChallengeFormat<ValidateAuthorizationRequestContext>.Descriptor);
        options.AddEventHandler(ValidateCodeChallengeFormat<ValidatePushedAuthorizationRequestContext>.Descriptor);
        options.AddEventHandler(HideCodeVerifier.Descriptor);
        options.AddEventHandler(RestoreCodeVerifier.Descriptor);

        options.AddEventHandler(RejectMalformedParameters<ExtractAuthorizationRequestContext>.Descriptor);
        options.AddEventHandler(RejectMalformedParameters<ExtractPushedAuthorizationRequestContext>.Descriptor);
        options.AddEventHandler(RejectMalformedParameters<ExtractTokenRequestContext>.Descriptor);
        options.AddEventHandler(RejectMalformedParameters<ExtractIntrospectionRequestContext>.Descriptor);
        options.AddEventHandler(RejectMalformedParameters<ExtractRevocationRequestContext>.Descriptor);

        options.AddEventHandler(RejectUnregisteredScopes<ValidateAuthorizationRequestContext>.CreateDescriptor(
            OpenIddictServerHandlers.Authentication.ValidateScopePermissions.Descriptor.Order));
        options.AddEventHandler(RejectUnregisteredScopes<ValidatePushedAuthorizationRequestContext>.CreateDescriptor(
            OpenIddictServerHandlers.Authentication.ValidatePushedScopePermissions.Descriptor.Order));
        options.AddEventHandler(RejectUnregisteredScopes<ValidateTokenRequestContext>.CreateDescriptor(
            OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order));

        options.AddEventHandler(LimitClientAssertionClockSkew.Descriptor);
        options.AddEventHandler(RejectReplayedClientAssertion.Descriptor);
        options.AddEventHandler(ValidateClientAssertionParty.Descriptor);
        options.AddEventHandler(ReportClientAssertionFailures<ApplyTokenResponseContext>.Descriptor);
        options.AddEventHandler(ReportClientAssertionFailures<ApplyPushedAuthorizationResponseContext>.Descriptor);
        options.AddEventHandler(ReportClientAssertionFailures<ApplyIntrospectionResponseContext>.Descriptor);
        options.AddEventHandler(ReportClientAssertionFailures<ApplyRevocationResponseContext>.Descriptor);
        options.AddEventHandler(AuditClientAuthenticationFailure<ApplyTokenResponseContext>.Descriptor);
        options.AddEventHandler(AuditClientAuthenticationFailure<ApplyPushedAuthorizationResponseContext>.Descriptor);
        options.AddEventHandler(AuditClientAuthenticationFailure<ApplyIntrospectionResponseContext>.Descriptor);
        options.AddEventHandler(AuditClientAuthenticationFailure<ApplyRevocationResponseContext>.Descriptor);
        options.AddEventHandler(RoundExpiresIn.Descriptor);
        options.AddEventHandler(AlwaysIncludeScope.Descriptor);
        options.AddEventHandler(IntrospectScopesForPresenter.Descriptor);
        options.AddEventHandler(RevokeTokenFamily.Descriptor);
        options.AddEventHandler(AddRevokedStatus.Descriptor);
    }
}

public static class AuthorizationErrorPages
{
    /// <summary>
    /// Renders the authorization endpoint's non-redirectable errors (unknown client, unregistered
    /// redirect URI) as an HTML page from <see cref="OAuthErrorController"/>. Limited to that
    /// path, so API responses keep their empty 401 and 403 bodies.
    /// </summary>
    public static IApplicationBuilder UseAuthorizationErrorPages(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/o/authorize", StringComparison.Ordinal),
            branch => branch.UseStatusCodePagesWithReExecute(OAuthErrorController.Path + "{0}"));
}
