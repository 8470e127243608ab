using System.Text.Json;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Logging;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Telemetry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The Dashboard API's system routes: status, resources, storage and logs, from the same readers as the System API's.</summary>
[ApiController]
[Route("api/system")]
public sealed class SystemResourcesController(TelemetryReader telemetry, IOptions<StudioOptions> options) : ControllerBase
{
    public const int MaxLines = 2000;

    [HttpGet("status")]
    public async Task<ServiceStatus> Status([FromServices] ComfyUiClient comfyUi, [FromServices] StudioUptime uptime, CancellationToken ct)
    {
        var probe = comfyUi.ProbeAsync(ct);
        var snapshot = await telemetry.ReadAsync(ct);
        return ServiceStatus.From(snapshot, (await probe).Status, uptime.Uptime);
    }

    [HttpGet("resources")]
    public async Task<ResourceUsage> Resources(CancellationToken ct) => ResourceUsage.From(await telemetry.ReadAsync(ct));

    /// <summary>The volume and the model files; <c>detail=true</c> adds each folder's size.</summary>
    [HttpGet("storage")]
    public async Task<StorageResource> Storage([FromQuery] bool? detail, [FromServices] Services.Models.ModelLibrary models, CancellationToken ct) =>
        StorageResource.From(await telemetry.ReadDiskAsync(ct), await models.FolderFiguresAsync(ct), options.Value.ModelsDir, detail == true);

    public sealed record LogLine(string? Timestamp, string Level, string Service, string Message);
    public sealed record LogList(IReadOnlyList<LogLine> Logs);

    /// <summary>
    /// The newest log lines (<c>lines</c>, 1-2000, default 100) of one service (<c>dashboard</c>, <c>comfyui</c>,
    /// <c>jobs</c>) or all; <c>follow=true</c> streams new lines as server-sent events until the client leaves.
    /// </summary>
    [HttpGet("logs")]
    [ProducesResponseType<LogList>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Logs([FromQuery] string? service, [FromQuery] int? lines, [FromQuery] bool? follow,
        [FromServices] StudioLogs logs, CancellationToken ct)
    {
        var wanted = service?.Trim().ToLowerInvariant() switch
        {
            null or "" or "all" => null,
            "preset_manager" => "jobs", // the Dashboard API's name for the background work
            var s when StudioLogs.Services.Contains(s) => s,
            _ => throw StudioException.Validation($"service must be one of {string.Join(", ", StudioLogs.Services)} or all"),
        };
        var n = lines ?? 100;
        if (n is < 1 or > MaxLines) throw StudioException.Validation($"lines must be between 1 and {MaxLines}");
        if (follow != true) return Ok(new LogList([.. logs.Tail(n, wanted).Select(Of)]));

        // The app stopping (a restart) ends the stream too: an open one would hold the shutdown for its whole timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, HttpContext.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        await StreamAsync(logs, n, wanted, linked.Token);
        return new EmptyResult();
    }

    private async Task StreamAsync(StudioLogs logs, int lines, string? wanted, CancellationToken ct)
    {
        Response.ContentType = "text/event-stream";
        Response.Headers.CacheControl = "no-cache";
        Response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not hold the stream back
        var queue = System.Threading.Channels.Channel.CreateBounded<LogLine>(
            new System.Threading.Channels.BoundedChannelOptions(5000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
        using var following = logs.Follow(lines, wanted, line => queue.Writer.TryWrite(Of(line)));
        foreach (var line in following.Tail) await WriteAsync(Of(line));
        await Response.Body.FlushAsync(ct);
        var lastBeat = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    await queue.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                var wrote = false;
                while (queue.Reader.TryRead(out var line)) { await WriteAsync(line); wrote = true; }
                if (!wrote && DateTime.UtcNow - lastBeat > TimeSpan.FromSeconds(15))
                {
                    await Response.WriteAsync(": keep-alive\n\n", ct);
                    wrote = true;
                }
                if (wrote)
                {
                    lastBeat = DateTime.UtcNow;
                    await Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client left
        }

        Task WriteAsync(LogLine line) => Response.WriteAsync("data: " + JsonSerializer.Serialize(line, Conventions.StudioJson.Options) + "\n\n", ct);
    }

    private static LogLine Of(StudioLogLine l) =>
        new(ApiTime.Precise(l.Timestamp), l.Level, l.Service, l.Message);
}
