using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Api;

public sealed class CorsFactory : StudioFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["CORS_ORIGINS"] = "https://allowed.example, https://other.example",
    };
}

public sealed class CorsTests(CorsFactory factory) : IClassFixture<CorsFactory>
{
    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/admin/events");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "X-API-Key");
        return request;
    }

    [Fact]
    public async Task Listed_origins_are_allowed_with_credentials_and_others_are_not()
    {
        var client = factory.CreateAnonymousClient();
        var allowed = await client.SendAsync(Preflight("https://allowed.example"));
        Assert.Equal("https://allowed.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", allowed.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        var refused = await client.SendAsync(Preflight("https://evil.example"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("Origin", "https://other.example");
        var simple = await client.SendAsync(request);
        Assert.Equal("https://other.example", simple.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-RateLimit-Remaining", simple.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }
}
