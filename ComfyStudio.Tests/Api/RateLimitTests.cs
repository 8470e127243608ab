using System.Net;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Api;

/// <summary>The Dashboard API's own numbers: this host keeps the shipped defaults.</summary>
public sealed class DefaultLimitsFactory : StudioFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();
}

public sealed class RateLimitTests(DefaultLimitsFactory factory) : IClassFixture<DefaultLimitsFactory>
{
    [Fact]
    public async Task The_101st_unauthenticated_request_in_a_minute_gets_429_with_retry_after_while_a_key_still_works()
    {
        var anonymous = factory.CreateAnonymousClient();
        for (var i = 1; i <= 100; i++)
        {
            var ok = await anonymous.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("100", ok.Headers.GetValues("X-RateLimit-Limit").Single());
            Assert.Equal((100 - i).ToString(CultureInfo.InvariantCulture), ok.Headers.GetValues("X-RateLimit-Remaining").Single());
            Assert.True(long.Parse(ok.Headers.GetValues("X-RateLimit-Reset").Single(), CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1);
            Assert.EndsWith("Z", ok.Headers.GetValues("X-RateLimit-Reset-Time").Single());
        }
        var limited = await anonymous.GetAsync("/api/health");
        await ErrorAssert.IsErrorBody(limited, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());

        // A key has its own, larger budget.
        var keyed = await factory.CreateKeyClient().GetAsync("/api/admin/events");
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        Assert.Equal("1000", keyed.Headers.GetValues("X-RateLimit-Limit").Single());
    }
}
