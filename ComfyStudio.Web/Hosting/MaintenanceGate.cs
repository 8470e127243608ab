using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Updates;
using ComfyStudio.Web.Api.Errors;

namespace ComfyStudio.Web.Hosting;

/// <summary>
/// While an update deploys: API calls get 503 <c>MAINTENANCE</c> and pages an "Updating…" page that reloads itself
/// every 3 s. Health, static assets, open circuits (which show their own overlay) and the jobs dashboard stay up.
/// While the app stops (a restart), every new request gets 503 at once, health included.
/// </summary>
public static class MaintenanceGate
{
    public const string Message = "System is updating, please wait...";

    /// <summary>Health, the restart (a way out should an update hang), open circuits, assets and the jobs dashboard.</summary>
    private static readonly string[] AlwaysOpen = ["/health", "/api/health", "/api/admin/system/restart", "/_blazor", "/_framework", "/_content", "/hangfire", "/css", "/js", "/favicon"];

    public const string StoppingMessage = "The app is restarting, please wait...";

    public static IApplicationBuilder UseMaintenanceGate(this IApplicationBuilder app)
    {
        var maintenance = app.ApplicationServices.GetRequiredService<MaintenanceMode>();
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (stopping.IsCancellationRequested)
            {
                // The app is stopping (a restart): nothing new starts here. A circuit reconnecting or a stream opened now
                // would hold the shutdown for its whole timeout; the caller tries again and finds the app that comes next.
                context.Response.Headers.RetryAfter = "2";
                context.Response.Headers.Connection = "close";
                context.Response.Headers.CacheControl = "no-store";
                if (ApiErrors.IsApiRequest(context.Request) || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/ws"))
                    await ApiErrors.WriteAsync(context, ErrorCodes.Maintenance, StoppingMessage);
                else
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await context.Response.WriteAsync(RestartingPage);
                }
                return;
            }
            if (!maintenance.IsOn || AlwaysOpen.Any(p => path.StartsWithSegments(p)) || Path.HasExtension(path.Value))
            {
                await next(context);
                return;
            }
            context.Response.Headers.RetryAfter = "3";
            context.Response.Headers.CacheControl = "no-store";
            if (ApiErrors.IsApiRequest(context.Request))
            {
                await ApiErrors.WriteAsync(context, ErrorCodes.Maintenance, Message);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(UpdatingPage);
        });
    }

    private static readonly string UpdatingPage = Page("updating", "Updating…", "ComfyStudio is installing an update. This page reloads by itself.");
    private static readonly string RestartingPage = Page("restarting", "Restarting…", "ComfyStudio is restarting. This page reloads by itself.");

    private static string Page(string testId, string title, string text) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>{{title}} · ComfyStudio</title>
        <style>body{font-family:system-ui,sans-serif;background:#1e1e2d;color:#e0e0e0;display:grid;place-items:center;height:100vh;margin:0}
        main{text-align:center}h1{font-weight:500}p{opacity:.75}</style></head>
        <body><main data-testid="{{testId}}"><h1>{{title}}</h1><p>{{text}}</p></main></body></html>
        """;
}
