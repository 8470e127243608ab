using ComfyStudio.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Health;

/// <summary>Public liveness checks in both specs' shapes.</summary>
[ApiController]
[AllowAnonymous]
public sealed class HealthController(TimeProvider clock) : ControllerBase
{
    public sealed record DashboardHealth(string Status, string Service, string Version, string Timestamp);
    public sealed record SystemHealth(string Status);

    /// <summary>Spec B's health check.</summary>
    [HttpGet("/health")]
    public DashboardHealth Dashboard() => new("healthy", "comfystudio", StudioVersion.Current,
        clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));

    /// <summary>Spec A's health check.</summary>
    [HttpGet("/api/health")]
    public SystemHealth System() => new("ok");
}
