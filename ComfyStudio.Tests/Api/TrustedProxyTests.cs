using System.Net;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Api;

/// <summary>The Dashboard API's default limits on Kestrel, behind a proxy on loopback that the app is told to trust.</summary>
public sealed class ProxiedFactory : KestrelFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["urls"] = "http://127.0.0.1:0",
        ["TRUSTED_PROXIES"] = "127.0.0.1",
    };
}

public sealed class TrustedProxyTests(ProxiedFactory factory) : IClassFixture<ProxiedFactory>
{
    private async Task<HttpResponseMessage> GetAsFromAsync(HttpClient client, string clientIp)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Forwarded-For", clientIp);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Clients_behind_a_trusted_proxy_have_their_own_rate_limit_buckets()
    {
        using var client = new HttpClient { BaseAddress = new Uri(factory.BaseUrl) };
        for (var i = 0; i < 100; i++)
            Assert.Equal(HttpStatusCode.OK, (await GetAsFromAsync(client, "203.0.113.7")).StatusCode);
        await ErrorAssert.IsErrorBody(await GetAsFromAsync(client, "203.0.113.7"), HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        var other = await GetAsFromAsync(client, "198.51.100.9");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("99", other.Headers.GetValues("X-RateLimit-Remaining").Single());
    }
}
