using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.RateLimiting;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.RateLimiting;

/// <summary>
/// Fixed one-minute windows per client for ASP.NET Core's rate-limiting middleware, on the API, health and
/// <c>/ws</c> handshakes. Each request's window is kept on the request so every response can carry
/// <c>X-RateLimit-Limit/Remaining/Reset/Reset-Time</c>.
/// </summary>
public sealed class ApiRateLimiter(RateLimitOptions options, TimeProvider clock) : PartitionedRateLimiter<HttpContext>
{
    private const string WindowItem = "studio.ratelimit.window";
    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private long _lastSweep;

    public sealed class Window(int limit)
    {
        public int Limit { get; } = limit;
        public int Used { get; set; }
        public DateTimeOffset ResetsAt { get; set; }
    }

    public static bool Applies(HttpRequest request) => Errors.ApiErrors.IsApiRequest(request);

    private static string PartitionOf(HttpContext ctx, out bool authenticated)
    {
        authenticated = ctx.User.Identity?.IsAuthenticated == true;
        return authenticated
            ? "key:" + ctx.User.FindFirst(StudioClaims.KeyName)?.Value
            : "ip:" + ClientAddress.Of(ctx);
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext ctx, int permitCount)
    {
        if (!Applies(ctx.Request)) return Lease.Granted;
        var now = clock.GetUtcNow();
        Sweep(now);
        var key = PartitionOf(ctx, out var authenticated);
        var window = _windows.GetOrAdd(key, _ => new Window(authenticated ? options.Authenticated : options.Anonymous));
        bool granted;
        lock (window)
        {
            if (now >= window.ResetsAt)
            {
                window.Used = 0;
                window.ResetsAt = now.AddSeconds(options.WindowSeconds);
            }
            granted = window.Used + permitCount <= window.Limit;
            if (granted) window.Used += permitCount;
        }
        ctx.Items[WindowItem] = window;
        return granted ? Lease.Granted : new Lease(false, window.ResetsAt - now);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    /// <summary>Drops windows that ended over a minute ago, at most once a minute.</summary>
    private void Sweep(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (now.UtcTicks - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref _lastSweep, now.UtcTicks, last) != last) return;
        foreach (var (key, w) in _windows)
            if (w.ResetsAt < now.AddMinutes(-1)) _windows.TryRemove(key, out _);
    }

    /// <summary>Sets the rate-limit headers from the request's window (call before the response starts).</summary>
    public static void WriteHeaders(HttpContext ctx)
    {
        if (ctx.Items[WindowItem] is not Window w) return;
        int remaining;
        DateTimeOffset reset;
        lock (w) { remaining = Math.Max(0, w.Limit - w.Used); reset = w.ResetsAt; }
        var h = ctx.Response.Headers;
        h["X-RateLimit-Limit"] = w.Limit.ToString(CultureInfo.InvariantCulture);
        h["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        h["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        h["X-RateLimit-Reset-Time"] = ApiTime.Iso(reset);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter = null) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public override bool IsAcquired => acquired;
        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
