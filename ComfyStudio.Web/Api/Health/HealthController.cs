using ComfyStudio.Services.Status;
using ComfyStudio.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Health;

/// <summary>Public liveness checks in both specs' shapes.</summary>
[ApiController]
[AllowAnonymous]
public sealed class HealthController(TimeProvider clock, StudioUptime uptime) : ControllerBase
{
    public sealed record DashboardHealth(string Status, string Service, string Version, string Timestamp);
    public sealed record SystemHealth(string Status);

    /// <summary>The Dashboard API's health check.</summary>
    [HttpGet("/health")]
    public DashboardHealth Dashboard() => new("healthy", "comfystudio", StudioVersion.Current,
        ApiTime.Iso(clock.GetUtcNow()));

    public const string InstanceHeader = "X-Studio-Instance";

    /// <summary>The System API's health check; <see cref="InstanceHeader"/> names this run of the app (pages wait for a new one after a restart).</summary>
    [HttpGet("/api/health")]
    public SystemHealth System()
    {
        Response.Headers[InstanceHeader] = uptime.InstanceId;
        Response.Headers.CacheControl = "no-store";
        return new("ok");
    }
}
