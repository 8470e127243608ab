using System.IO.Compression;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The System API's system routes: status, telemetry, uptime, restart and the Chrome extension.</summary>
[ApiController]
[Route("api/admin")]
public sealed class SystemController(IOptions<StudioOptions> options) : ControllerBase
{
    public sealed record Uptime(string StartedAt, long UptimeSeconds, int Pid);
    public sealed record Restarting(string Message);

    /// <summary>Dashboard data: component versions with live counts, ComfyUI, nodes, disk, database, Telegram.</summary>
    [HttpGet("system/status")]
    public async Task<StudioStatusResource> Status([FromServices] StudioStatus status, [FromServices] IConfiguration configuration, CancellationToken ct) =>
        StudioStatusResource.From(await status.ReadAsync(ct), StudioVersion.Current, configuration["DB_BROWSER_URL"]);

    /// <summary>GPU (nvidia-smi; null without one), CPU load, RAM (cgroup limits), disk.</summary>
    [HttpGet("telemetry")]
    public async Task<TelemetryResource> Telemetry([FromServices] TelemetryReader telemetry, CancellationToken ct) =>
        TelemetryResource.From(await telemetry.ReadAsync(ct));

    /// <summary>When the backend started (Europe/Rome) and for how long it has run.</summary>
    [HttpGet("system/uptime")]
    public Uptime GetUptime([FromServices] StudioUptime uptime) =>
        new(uptime.StartedAtRome, (long)uptime.Uptime.TotalSeconds, uptime.ProcessId);

    /// <summary>Checkpoints the databases, answers, then restarts the process on the same port.</summary>
    [HttpPost("system/restart")]
    public async Task<Restarting> Restart([FromServices] IStudioRestart restart, CancellationToken ct)
    {
        await restart.RequestAsync("requested through the API", TimeSpan.FromSeconds(1), ct);
        return new Restarting("Restarting...");
    }

    /// <summary>The Chrome extension (Manifest V3) as a ZIP to load unpacked.</summary>
    [HttpGet("system/chrome-extension")]
    [ProducesResponseType<FileResult>(StatusCodes.Status200OK, "application/zip")]
    [ProducesResponseType<Errors.ErrorBody>(StatusCodes.Status404NotFound)]
    public IActionResult ChromeExtension([FromServices] IConfiguration configuration)
    {
        var source = ChromeExtensionFolder(options.Value, configuration[ShippedExtensionSetting])
                     ?? throw StudioException.NotFound("The Chrome extension is not installed (chrome-extension/src is missing)");
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden }).Order(StringComparer.Ordinal))
            {
                var name = ExtensionFolderName + "/" + Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
                archive.CreateEntryFromFile(file, name, CompressionLevel.Optimal);
            }
        }
        zip.Position = 0;
        return File(zip, "application/zip", "comfystudio-extension.zip");
    }

    public const string ExtensionFolderName = "comfystudio-extension";

    /// <summary>Where the extension shipped with the app is (default: <c>chrome-extension/src</c> beside the app).</summary>
    public const string ShippedExtensionSetting = "ChromeExtension:ShippedDir";

    /// <summary><c>STUDIO_DIR/chrome-extension/src</c> (deployed by an update), else the one shipped with the app.</summary>
    internal static string? ChromeExtensionFolder(StudioOptions studio, string? shipped = null) =>
        new[] { Path.Combine(studio.StudioDir!, "chrome-extension", "src"), shipped ?? Path.Combine(AppContext.BaseDirectory, "chrome-extension", "src") }
            .FirstOrDefault(d => Directory.Exists(d) && System.IO.File.Exists(Path.Combine(d, "manifest.json")));
}
