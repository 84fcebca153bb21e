using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OpenBanking.Tests.Infrastructure;

/// <summary>The host on a real Kestrel socket at a free loopback port, for a real browser.</summary>
public class KestrelFactory : OpenBankingFactory
{
    public KestrelFactory()
    {
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
    }

    protected override Uri ClientBaseAddress => ServerAddress;

    /// <summary>Base address of the running server, such as http://127.0.0.1:41234, started on first use.</summary>
    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }
}
