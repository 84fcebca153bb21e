using System.Data.Common;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenBanking.Tests.Infrastructure;
using OpenBanking.Web.Admin.Common;
using OpenBanking.Web.Admin.Tokens;
using OpenBanking.Web.Data;
using OpenBanking.Web.Seeding;
using OpenIddict.EntityFrameworkCore.Models;
using Xunit.Abstractions;

namespace OpenBanking.Tests.Admin;

/// <summary>The token grid over 100,000 seeded tokens reads one page in SQL, never the whole table.</summary>
[Collection(HeavyTestGroup.Name)]
public sealed class TokenGridPagingTests(TokenGridPagingTests.RecordingFactory factory, ITestOutputHelper output)
    : IClassFixture<TokenGridPagingTests.RecordingFactory>
{
    private const int SeededTokens = 100_000;

    [Fact]
    public async Task FirstPage_IsPagedInSql()
    {
        await using (var db = factory.CreateDbContext())
        {
            var application = await db.Set<OpenIddictEntityFrameworkCoreApplication>().SingleAsync(app => app.ClientId == OAuthFlow.DemoClientId);
            var subject = (await db.Users.SingleAsync(user => user.Email == OAuthFlow.CustomerEmail)).Id;
            var seeding = Stopwatch.StartNew();
            await TokenSeeder.SeedAsync(db, application.Id!, subject, SeededTokens, DateTimeOffset.UtcNow);
            output.WriteLine($"Seeded {SeededTokens} tokens in {seeding.ElapsedMilliseconds} ms");
        }

        await using var session = await PortalSession.OpenAsync(factory);
        var service = session.Get<TokenAdminService>();
        factory.Commands.Clear();
        var timer = Stopwatch.StartNew();
        var page = await service.ListAsync(new TokenFilter(), new PageRequest(0, 25), CancellationToken.None);
        output.WriteLine($"First page of {page.TotalItems} tokens in {timer.ElapsedMilliseconds} ms");

        Assert.Equal(25, page.Items.Count);
        Assert.True(page.TotalItems >= SeededTokens, $"Total {page.TotalItems} is below the {SeededTokens} seeded.");
        var select = Assert.Single(factory.Commands, sql => sql.Contains("FROM \"OpenIddictTokens\"", StringComparison.Ordinal)
            && sql.Contains("ORDER BY", StringComparison.Ordinal));
        Assert.Contains("LIMIT @", select, StringComparison.Ordinal);
        Assert.Contains(factory.Commands, sql => sql.Contains("SELECT COUNT(*)", StringComparison.Ordinal));

        timer.Restart();
        await service.ListAsync(new TokenFilter(), new PageRequest(1, 25), CancellationToken.None);
        output.WriteLine($"Second page in {timer.ElapsedMilliseconds} ms (compiled query, warm cache)");

        var valid = await service.ListAsync(new TokenFilter(Status: TokenStatusFilter.Expired, Type: TokenKinds.RefreshToken),
            new PageRequest(2, 50), CancellationToken.None);
        Assert.Equal(50, valid.Items.Count);
        Assert.All(valid.Items, row => Assert.Equal("expired", row.Status));
        Assert.All(valid.Items, row => Assert.Equal(TokenKinds.RefreshToken, row.Type));
    }

    /// <summary>The host with a recorder of every SQL command its database contexts send.</summary>
    public sealed class RecordingFactory : OpenBankingFactory
    {
        public List<string> Commands { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
                services.ConfigureDbContext<BankDbContext>(options => options.AddInterceptors(new CommandRecorder(Commands))));
        }
    }

    private sealed class CommandRecorder(List<string> commands) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            lock (commands)
            {
                commands.Add(command.CommandText);
            }

            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

/// <summary>
/// Tests that load the machine, such as seeding 100,000 rows, run alone after the others, so
/// they do not slow the browser tests past Playwright's timeouts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyTestGroup
{
    public const string Name = "Heavy";
}
