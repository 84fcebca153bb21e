using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenBanking.Tests.Infrastructure;

namespace OpenBanking.Tests.Security;

/// <summary>
/// Chunked request bodies on a real Kestrel socket, where the chunk framing is parsed: a body up
/// to the 65,536-byte limit reaches the token endpoint, and broken framing gets a JSON 4xx.
/// </summary>
public sealed class ChunkedBodyTests(KestrelFactory factory) : IClassFixture<KestrelFactory>
{
    private const int Limit = 65_536;

    [Fact]
    public async Task ChunkedBody_AtLimit_ReachesTokenEndpoint()
    {
        // grant_type=password is rejected by OpenIddict itself, so reaching it shows the guard
        // passed the body. The padding is split into parameters below the 8,192-character limit.
        var body = new StringBuilder("grant_type=password");
        for (var index = 0; body.Length < Limit; index++)
        {
            body.Append(CultureInfo.InvariantCulture, $"&p{index:D2}=");
            body.Append('a', Math.Min(4_000, Limit - body.Length));
        }

        Assert.Equal(Limit, body.Length);
        var (status, json) = await SendChunkedAsync(Encoding.ASCII.GetBytes(body.ToString()), chunkSize: 8192);

        Assert.Equal(400, status);
        Assert.Equal("unsupported_grant_type", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ChunkedBody_OverLimit_Gets413Json()
    {
        var (status, json) = await SendChunkedAsync(new byte[Limit + 1], chunkSize: 8192);

        Assert.Equal(413, status);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFFFF")]
    [InlineData("80000000")]
    [InlineData("zz")]
    public async Task ChunkedBody_BadChunkSize_Gets400Json(string size)
    {
        var (status, json) = await SendRawAsync(Encoding.ASCII.GetBytes($"{size}\r\nabc\r\n0\r\n\r\n"));

        Assert.Equal(400, status);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    private Task<(int Status, JsonElement Json)> SendChunkedAsync(byte[] body, int chunkSize)
    {
        var framed = new MemoryStream();
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, body.Length - offset);
            framed.Write(Encoding.ASCII.GetBytes($"{length:X}\r\n"));
            framed.Write(body, offset, length);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\n\r\n"u8);
        return SendRawAsync(framed.ToArray());
    }

    // Sends a chunked POST to /o/token/ and reads the whole response: status and JSON body.
    private async Task<(int Status, JsonElement Json)> SendRawAsync(byte[] framedBody)
    {
        var address = factory.ServerAddress;
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        await using var stream = client.GetStream();

        var head = "POST /o/token/ HTTP/1.1\r\n"
            + $"Host: {address.Authority}\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(framedBody);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(response.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        var content = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        if (response.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            content = Unchunk(content);
        }

        return (status, JsonDocument.Parse(content).RootElement.Clone());
    }

    private static string Unchunk(string content)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = content.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(content[position..lineEnd], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(content, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
