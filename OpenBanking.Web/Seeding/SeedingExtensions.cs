namespace OpenBanking.Web.Seeding;

public static class SeedingExtensions
{
    public static IServiceCollection AddSeeding(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SeedSettings>(configuration.GetSection(SeedSettings.SectionName));
        services.AddScoped<ScopeCatalog>();
        services.AddScoped<DevelopmentSeeder>();

        return services;
    }

    /// <summary>
    /// Creates the built-in scopes in every environment and, in Development only, the fixtures
    /// of <see cref="DevelopmentSeeder"/>.
    /// </summary>
    public static async Task SeedAsync(this IServiceProvider services, IHostEnvironment environment, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ScopeCatalog>().EnsureAsync(cancellationToken);
        if (environment.IsDevelopment())
        {
            await scope.ServiceProvider.GetRequiredService<DevelopmentSeeder>().SeedAsync(cancellationToken);
        }
    }
}
