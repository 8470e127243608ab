using System.Globalization;
using System.Threading.RateLimiting;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;

namespace ComfyStudio.Web.Api.RateLimiting;

public static class RateLimitingSetup
{
    public static IHostApplicationBuilder AddStudioRateLimiting(this IHostApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = new ApiRateLimiter(limits, TimeProvider.System);
            o.OnRejected = async (ctx, ct) =>
            {
                var http = ctx.HttpContext;
                ApiRateLimiter.WriteHeaders(http);
                var seconds = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry)
                    ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : limits.WindowSeconds;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrors.WriteAsync(http, ErrorCodes.RateLimitExceeded,
                    $"Too many requests: try again in {seconds} s",
                    new Dictionary<string, object?> { ["retry_after"] = seconds });
            };
        });
        return builder;
    }

    /// <summary>The limiter, then the headers on every limited response.</summary>
    public static WebApplication UseStudioRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use((ctx, next) =>
        {
            ctx.Response.OnStarting(() => { ApiRateLimiter.WriteHeaders(ctx); return Task.CompletedTask; });
            return next(ctx);
        });
        return app;
    }
}
