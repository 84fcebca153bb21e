using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Identity;
using OpenBanking.Web.Data;
using OpenBanking.Web.Identity;

namespace OpenBanking.Web.Customer;

public static class CustomerPagesExtensions
{
    /// <summary>
    /// Registers what the customer's pages need: the account emails, the customer audit trail,
    /// and the queries behind the accounts and connected-apps pages.
    /// </summary>
    public static IServiceCollection AddCustomerPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailSettings>().Bind(configuration.GetSection(EmailSettings.SectionName));
        services.AddSingleton<IEmailSender<BankUser>, PickupDirectoryEmailSender>();
        services.AddScoped<CustomerAudit>();
        services.AddScoped<AccountActivity>();
        services.AddScoped<ConnectedApps>();

        // Pages write the rupee sign and customers' names as characters, not as numeric
        // entities; the encoder still escapes everything that is markup.
        services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));

        return services;
    }
}
