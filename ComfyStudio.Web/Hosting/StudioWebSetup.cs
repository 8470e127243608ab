using ComfyStudio.Services.Workflows;
using ComfyStudio.Services.Models;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Presets;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Jobs;
using ComfyStudio.Services.Logging;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Settings;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Services.Updates;
using Microsoft.Extensions.FileProviders;
using ComfyStudio.Web.Api;
using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Conventions;
using ComfyStudio.Web.Api.Errors;
using ComfyStudio.Web.Api.RateLimiting;
using ComfyStudio.Web.Components;
using ComfyStudio.Web.Components.Shared;
using ComfyStudio.Web.LiveFeed;
using Hangfire;
using MudBlazor.Services;

namespace ComfyStudio.Web.Hosting;

/// <summary>The composition root: every feature's registration and the request pipeline, in order.</summary>
public static class StudioWebSetup
{
    public static WebApplicationBuilder AddStudio(this WebApplicationBuilder builder)
    {
        var studio = builder.AddStudioConfiguration();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls($"http://0.0.0.0:{studio.StudioPort}");

        // Package assets (MudBlazor's CSS/JS) in any environment when run from a build; a published app has them in wwwroot.
        builder.WebHost.UseStaticWebAssets();
        builder.AddStudioLogging(studio);
        builder.AddStudioData(studio);      // first hosted service: the schema is ready before anything uses it
        builder.AddStudioEvents();
        builder.AddStudioKeys();
        builder.AddStudioSettings();
        builder.AddStudioComfyUi();
        builder.AddStudioModels();
        builder.AddStudioWorkflows();
        builder.AddStudioTelemetry();
        builder.AddStudioStatus();
        builder.Services.AddSingleton<IStudioRestart, StudioRestart>();
        builder.AddStudioUpdates();
        builder.Services.AddHostedService<UpdateRestarter>();
        builder.AddStudioDownloads();
        builder.AddStudioPresets();
        builder.AddStudioJobs(studio);
        builder.AddStudioAuth(studio.StudioDir!);
        builder.AddStudioApi(studio);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<BrowserClock>();
        builder.Services.AddHostedService<StartupAnnouncer>();
        return builder;
    }

    public static WebApplication UseStudio(this WebApplication app)
    {
        app.UseApiVersionHeader();
        app.UseTrustedProxies(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StudioOptions>>().Value);
        app.UseExceptionHandler();
        app.UseStatusCodePages(ApiStatusCodes.WriteBodyAsync);
        app.UseMaintenanceGate();
        // What an update deployed to STUDIO_DIR/frontend is served ahead of the built-in wwwroot.
        var studio = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StudioOptions>>().Value;
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(studio.FrontendDir) });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseCors();
        app.UseAuthentication();
        app.UseStudioRateLimiting();
        app.UseApiVersioning();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapStudio(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapStudioLogin();
        app.MapStudioApi();
        app.MapLiveFeed();
        app.MapHangfireDashboardWithAuthorizationPolicy(AuthSetup.BrowserOnlyPolicy, "/hangfire",
            new DashboardOptions
            {
                DashboardTitle = "ComfyStudio jobs", AppPath = "/", DisplayStorageConnectionString = false,
                Authorization = [], AsyncAuthorization = [], // the cookie policy decides, not Hangfire's local-only default
            });
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
