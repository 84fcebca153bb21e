namespace OpenBanking.Web.Audit;

public static class AuditExtensions
{
    public static IServiceCollection AddAuditLog(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AuditQueueWriter>();
        return services;
    }
}
