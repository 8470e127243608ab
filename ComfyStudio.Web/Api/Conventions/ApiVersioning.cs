using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;

namespace ComfyStudio.Web.Api.Conventions;

/// <summary>
/// The Dashboard API's <c>X-API-Version</c>: every API response names the version served; a request that asks for a
/// version this server does not speak gets 400.
/// </summary>
public static class ApiVersioning
{
    public const string Header = "X-API-Version";
    public const string Current = "2.0.0";
    private static readonly HashSet<string> Supported = ["2", "2.0", "2.0.0"];

    /// <summary>
    /// First in the pipeline: stamps the header on every API response as it starts, whatever answers it (an error,
    /// a 429, the maintenance gate, a CORS preflight, the exception handler).
    /// </summary>
    public static WebApplication UseApiVersionHeader(this WebApplication app)
    {
        app.Use((ctx, next) =>
        {
            if (ApiErrors.IsApiRequest(ctx.Request))
                ctx.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers[Header] = Current;
                    return Task.CompletedTask;
                }, ctx.Response);
            return next(ctx);
        });
        return app;
    }

    /// <summary>Refuses a request that asks for a version this server does not speak.</summary>
    public static WebApplication UseApiVersioning(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (!ApiErrors.IsApiRequest(ctx.Request)) { await next(ctx); return; }
            var asked = ctx.Request.Headers[Header].ToString().Trim();
            if (asked.Length > 0 && !Supported.Contains(asked.TrimStart('v', 'V')))
            {
                await ApiErrors.WriteAsync(ctx, ErrorCodes.ValidationError,
                    $"Unsupported API version '{asked}'; this server speaks {Current}",
                    new Dictionary<string, object?> { ["requested"] = asked, ["supported"] = new[] { Current } });
                return;
            }
            await next(ctx);
        });
        return app;
    }
}
