using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Api;
using OpenBanking.Web.Seeding;
using OpenBanking.Web.Admin.Applications;
using OpenBanking.Web.Admin.AuditTrail;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Admin.Consents;
using OpenBanking.Web.Admin.Customers;
using OpenBanking.Web.Admin.Dashboard;
using OpenBanking.Web.Admin.Scopes;
using OpenBanking.Web.Admin.Security;
using OpenBanking.Web.Admin.Tokens;
using OpenBanking.Web.Audit;
using OpenIddict.EntityFrameworkCore.Models;

namespace OpenBanking.Tests.Admin;

/// <summary>The portal's services against the real host, its SQLite file, OpenIddict and the bank API.</summary>
public sealed class PortalServiceTests(OpenBankingFactory factory) : IClassFixture<OpenBankingFactory>
{
    private const string RedirectUri = OAuthFlow.DemoRedirectUri;

    [Fact]
    public async Task CreateApplication_CompletesAuthorizationCodeFlow()
    {
        var (clientId, secret, _) = await CreateApplicationAsync();

        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, secret);

        Assert.Equal("read payments", tokens.Scope);
        var balance = await flow.GetBalanceAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, balance.StatusCode);
        await using var db = factory.CreateDbContext();
        var stored = await db.Set<OpenIddictEntityFrameworkCoreApplication>().SingleAsync(app => app.ClientId == clientId);
        Assert.NotEqual(secret, stored.ClientSecret);
        Assert.DoesNotContain(secret, stored.ClientSecret!, StringComparison.Ordinal);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ApplicationCreated && e.ClientId == clientId));
        await factory.Services.GetRequiredService<AuditLog>().FlushAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.TokenIssued && e.ClientId == clientId));
    }

    [Fact]
    public async Task CreateApplication_GeneratesSecretOf256Bits()
    {
        var (_, secret, _) = await CreateApplicationAsync();

        var bytes = WebEncoders.Base64UrlDecode(secret);
        Assert.Equal(32, bytes.Length);
    }

    [Fact]
    public async Task RotateSecret_OldSecretRejectedAtTokenEndpoint()
    {
        var (clientId, oldSecret, id) = await CreateApplicationAsync();
        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, oldSecret);

        string newSecret;
        await using (var session = await PortalSession.OpenAsync(factory))
        {
            newSecret = await session.Get<ApplicationAdminService>().RotateSecretAsync(id, CancellationToken.None);
        }

        var withOld = await flow.RefreshAsync(tokens.RefreshToken!, clientId: clientId, clientSecret: oldSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal("invalid_client", await ReadErrorAsync(withOld));
        var withNew = await flow.RefreshAsync(tokens.RefreshToken!, clientId: clientId, clientSecret: newSecret);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.NotEqual(oldSecret, newSecret);
        await using var db = factory.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ApplicationSecretRotated && e.ClientId == clientId));
        await factory.Services.GetRequiredService<AuditLog>().FlushAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.TokenRequestFailed && e.ClientId == clientId));
    }

    [Fact]
    public async Task RevokeConsent_BankApiRejectsItsTokens()
    {
        var customer = await factory.CreateCustomerAsync(1_000m);
        var (clientId, secret, id) = await CreateApplicationAsync();
        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, secret, customer.Email, customer.Password);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);

        await using (var session = await PortalSession.OpenAsync(factory))
        {
            var consents = session.Get<ConsentAdminService>();
            var page = await consents.ListAsync(new ConsentFilter(ApplicationId: id, Customer: customer.Email), new PageRequest(0, 10), CancellationToken.None);
            var consent = Assert.Single(page.Items);
            Assert.Equal("valid", consent.Status);
            Assert.Equal(2, consent.LiveTokenCount);
            Assert.Equal(2, await consents.RevokeAsync(consent.Id, CancellationToken.None));
        }

        var balance = await flow.GetBalanceAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, balance.StatusCode);
        var refresh = await flow.RefreshAsync(tokens.RefreshToken!, clientId: clientId, clientSecret: secret);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", await ReadErrorAsync(refresh));
        await using var db = factory.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ConsentRevoked && e.ClientId == clientId));
    }

    [Fact]
    public async Task RevokeToken_EndsItsGrantAndApiAnswers401()
    {
        var (clientId, secret, id) = await CreateApplicationAsync();
        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, secret);

        await using (var session = await PortalSession.OpenAsync(factory))
        {
            var service = session.Get<TokenAdminService>();
            var page = await service.ListAsync(new TokenFilter(ApplicationId: id, Type: TokenKinds.AccessToken, Status: TokenStatusFilter.Valid),
                new PageRequest(0, 10), CancellationToken.None);
            var token = Assert.Single(page.Items);
            var revocation = new TokenRevocation(TokenIds: [token.Id]);
            Assert.Equal(2, await service.CountToRevokeAsync(revocation, CancellationToken.None));
            Assert.Equal(2, await service.RevokeAsync(revocation, CancellationToken.None));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        var refresh = await flow.RefreshAsync(tokens.RefreshToken!, clientId: clientId, clientSecret: secret);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }

    [Fact]
    public async Task GrantTimeline_ShowsWholeLifeInOrder()
    {
        var customer = await factory.CreateCustomerAsync(1_000m);
        var (clientId, secret, id) = await CreateApplicationAsync(DevelopmentSeeder.DemoSettlementAccountNumber);
        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, secret, customer.Email, customer.Password);
        Assert.Equal(HttpStatusCode.OK, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flow.TransferAsync(tokens.AccessToken, """{"amount": 250.50}""")).StatusCode);
        await factory.Services.GetRequiredService<ApiCallRecorder>().FlushAsync();

        await using var session = await PortalSession.OpenAsync(factory);
        var consents = session.Get<ConsentAdminService>();
        var consent = Assert.Single((await consents.ListAsync(new ConsentFilter(ApplicationId: id), new PageRequest(0, 10), CancellationToken.None)).Items);
        await consents.RevokeAsync(consent.Id, CancellationToken.None);
        var timeline = await session.Get<GrantTimelineService>().GetAsync(consent.Id, CancellationToken.None);

        var titles = timeline!.Entries.Select(entry => entry.Title).ToList();
        Assert.Contains("Consent granted", titles);
        Assert.Contains("Authorization code issued", titles);
        Assert.Contains("Authorization code redeemed", titles);
        Assert.Contains("Access token issued", titles);
        Assert.Contains("Refresh token issued", titles);
        Assert.Contains("Balance read (200)", titles);
        Assert.Contains("Transfer of ₹250.50", titles);
        Assert.Contains("Consent revoked", titles);
        Assert.True(titles.IndexOf("Balance read (200)") < titles.IndexOf("Transfer of ₹250.50"));
        Assert.All(timeline.Entries.TakeLast(2), entry => Assert.Equal(TimelineKind.Revocation, entry.Kind));
        Assert.Equal(timeline.Entries.OrderBy(entry => entry.At).Select(entry => entry.At), timeline.Entries.Select(entry => entry.At));
        Assert.Equal(0, timeline.LiveTokenCount);
    }

    [Fact]
    public async Task DisabledApplication_TokenRequestRejected()
    {
        var (clientId, secret, id) = await CreateApplicationAsync();
        var flow = new OAuthFlow(factory);
        var pkce = Pkce.Create();
        var code = await GetCodeAsync(flow, clientId, pkce, OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);

        await using (var session = await PortalSession.OpenAsync(factory))
        {
            var service = session.Get<ApplicationAdminService>();
            var details = await service.GetAsync(id, CancellationToken.None);
            var input = details!.Input.Clone();
            input.Enabled = false;
            Assert.True((await service.UpdateAsync(id, input, CancellationToken.None)).Succeeded);
        }

        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientId, secret, RedirectUri);
        Assert.Equal(HttpStatusCode.BadRequest, exchanged.StatusCode);
        Assert.Equal("unauthorized_client", await ReadErrorAsync(exchanged));
        await using (var session = await PortalSession.OpenAsync(factory))
        {
            var service = session.Get<ApplicationAdminService>();
            var renamed = (await service.GetAsync(id, CancellationToken.None))!.Input.Clone();
            renamed.ClientId = "renamed-" + clientId;
            var result = await service.UpdateAsync(id, renamed, CancellationToken.None);
            Assert.Equal($"The client id cannot change after registration: it stays '{clientId}'.", result.Errors["ClientId"]);
        }

        var authorize = await flow.AuthorizeAsync(AuthorizationParameters(clientId, Pkce.Create()));
        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Contains("<code id=\"oauth-error\">unauthorized_client</code>", await authorize.Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteApplication_RevokesEveryToken()
    {
        var (clientId, secret, id) = await CreateApplicationAsync();
        var flow = new OAuthFlow(factory);
        var tokens = await RunFlowAsync(flow, clientId, secret);

        await using (var session = await PortalSession.OpenAsync(factory))
        {
            var service = session.Get<ApplicationAdminService>();
            Assert.Equal(2, await service.CountLiveTokensAsync(id, CancellationToken.None));
            Assert.Equal(2, await service.DeleteAsync(id, CancellationToken.None));
            Assert.Null(await service.GetAsync(id, CancellationToken.None));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.GetBalanceAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task CreateApplication_InvalidInputChangesNothing()
    {
        await using var session = await PortalSession.OpenAsync(factory);
        var service = session.Get<ApplicationAdminService>();
        var input = NewInput("bad-" + Guid.NewGuid().ToString("N")[..8]);
        input.RedirectUris = ["JavaScript:alert(1)", "http://evil.example/cb"];
        input.SettlementAccount = "NO-SUCH-ACCOUNT";

        var result = await service.CreateAsync(input, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("The 'javascript:' scheme is not allowed in a redirect URI.", result.Errors["RedirectUris[0]"]);
        Assert.StartsWith("http is allowed only on a loopback IP address", result.Errors["RedirectUris[1]"], StringComparison.Ordinal);
        Assert.Equal("No settlement account has the number 'NO-SUCH-ACCOUNT'.", result.Errors["SettlementAccount"]);
        Assert.Null(result.ClientSecret);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.Set<OpenIddictEntityFrameworkCoreApplication>().AnyAsync(app => app.ClientId == input.ClientId));
    }

    [Fact]
    public async Task NonAdmin_IsRefusedByEveryService()
    {
        foreach (var email in new[] { OAuthFlow.CustomerEmail, null })
        {
            await using var session = await PortalSession.OpenAsync(factory, email);
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<ApplicationAdminService>().ListAsync(null, new PageRequest(0, 10), CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<ApplicationAdminService>().CreateAsync(NewInput("refused-app"), CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<TokenAdminService>().RevokeAsync(new TokenRevocation(CustomerId: "x"), CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<ConsentAdminService>().ListAsync(new ConsentFilter(), new PageRequest(0, 10), CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() => session.Get<ScopeAdminService>().ListAsync(CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<CustomerAdminService>().SetAdminAsync("x", true, CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() =>
                session.Get<AuditQueryService>().ListAsync(new AuditFilter(), new PageRequest(0, 10), CancellationToken.None));
            await Assert.ThrowsAsync<AdminAccessDeniedException>(() => session.Get<DashboardService>().GetCountsAsync(CancellationToken.None));
        }

        await using var db = factory.CreateDbContext();
        Assert.False(await db.Set<OpenIddictEntityFrameworkCoreApplication>().AnyAsync(app => app.ClientId == "refused-app"));
    }

    [Fact]
    public async Task DemotedOperator_IsRefusedAtOnce()
    {
        var customer = await factory.CreateCustomerAsync(0m);
        string userId;
        await using (var admin = await PortalSession.OpenAsync(factory))
        {
            var customers = admin.Get<CustomerAdminService>();
            var page = await customers.ListAsync(customer.Email, new PageRequest(0, 10), CancellationToken.None);
            userId = Assert.Single(page.Items).Id;
            await customers.SetAdminAsync(userId, true, CancellationToken.None);
        }

        await using var promoted = await PortalSession.OpenAsync(factory, customer.Email);
        var scopes = await promoted.Get<ScopeAdminService>().ListAsync(CancellationToken.None);
        Assert.Contains(scopes, scope => scope.Input.Name == "read");

        await using (var admin = await PortalSession.OpenAsync(factory))
        {
            await admin.Get<CustomerAdminService>().SetAdminAsync(userId, false, CancellationToken.None);
        }

        await Assert.ThrowsAsync<AdminAccessDeniedException>(() => promoted.Get<ScopeAdminService>().ListAsync(CancellationToken.None));
        await using var db = factory.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.AdminRoleRemoved && e.SubjectId == userId));
    }

    [Fact]
    public async Task PortalPages_RefuseNonOperators()
    {
        var anonymous = factory.CreateBrowserlessClient();
        var toLogin = await anonymous.GetAsync("/admin/tokens");
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", toLogin.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var flow = new OAuthFlow(factory);
        await flow.LoginAsync(OAuthFlow.CustomerEmail, OAuthFlow.CustomerPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await flow.Browser.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await flow.Browser.GetAsync(AuditExportController.Path)).StatusCode);

        var admin = new OAuthFlow(factory);
        await admin.LoginAsync(PortalSession.AdminEmail, "admin-pass-123");
        Assert.Equal(HttpStatusCode.OK, (await admin.Browser.GetAsync("/admin")).StatusCode);
        var csv = await admin.Browser.GetAsync(AuditExportController.Path);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("id,occurred_at,action,", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteScope_ReportsUsageRejectsBuiltIn()
    {
        await using var session = await PortalSession.OpenAsync(factory);
        var scopes = session.Get<ScopeAdminService>();
        var name = "statements-" + Guid.NewGuid().ToString("N")[..6];
        var errors = await scopes.SaveAsync(null, new ScopeInput { Name = name, DisplayName = "Statements", Description = "Read statements." },
            CancellationToken.None);
        Assert.Empty(errors);
        var input = NewInput("scope-user-" + Guid.NewGuid().ToString("N")[..6]);
        input.Scopes.Add(name);
        Assert.True((await session.Get<ApplicationAdminService>().CreateAsync(input, CancellationToken.None)).Succeeded);

        var row = (await scopes.ListAsync(CancellationToken.None)).Single(scope => scope.Input.Name == name);
        Assert.Equal([input.ClientId], row.Usage.ClientIds);
        var usage = await scopes.DeleteAsync(row.Id, CancellationToken.None);
        Assert.True(usage.InUse);

        var read = (await scopes.ListAsync(CancellationToken.None)).Single(scope => scope.Input.Name == "read");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => scopes.DeleteAsync(read.Id, CancellationToken.None));
        Assert.Equal("The scope 'read' is built into the bank API and cannot be deleted.", refused.Message);
    }

    private static ApplicationInput NewInput(string clientId) => new()
    {
        ClientId = clientId,
        DisplayName = "Portal test app",
        RedirectUris = [RedirectUri],
        Scopes = ["read", "payments"],
    };

    private async Task<(string ClientId, string Secret, string Id)> CreateApplicationAsync(string? settlementAccount = null)
    {
        await using var session = await PortalSession.OpenAsync(factory);
        var input = NewInput(ClientSecrets.NewClientId());
        input.SettlementAccount = settlementAccount;
        var result = await session.Get<ApplicationAdminService>().CreateAsync(input, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(error => $"{error.Key}: {error.Value}")));

        return (input.ClientId, result.ClientSecret!, result.Id!);
    }

    private static Dictionary<string, string?> AuthorizationParameters(string clientId, Pkce pkce)
    {
        var parameters = OAuthFlow.AuthorizationParameters(pkce, scope: null);
        parameters["client_id"] = clientId;
        return parameters;
    }

    private static async Task<string> GetCodeAsync(OAuthFlow flow, string clientId, Pkce pkce, string email, string password)
    {
        await flow.LoginAsync(email, password);
        var response = await flow.AuthorizeAsync(AuthorizationParameters(clientId, pkce));
        if (response.StatusCode == HttpStatusCode.OK)
        {
            response = await flow.SubmitConsentAsync(response, allow: true);
        }

        return OAuthFlow.RedirectQuery(response)["code"]!;
    }

    private static async Task<TokenSet> RunFlowAsync(OAuthFlow flow, string clientId, string secret,
        string email = OAuthFlow.CustomerEmail, string password = OAuthFlow.CustomerPassword)
    {
        var pkce = Pkce.Create();
        var code = await GetCodeAsync(flow, clientId, pkce, email, password);
        var exchanged = await flow.ExchangeCodeAsync(code, pkce.Verifier, clientId, secret, RedirectUri);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);

        return await TokenSet.ReadAsync(exchanged);
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
}
