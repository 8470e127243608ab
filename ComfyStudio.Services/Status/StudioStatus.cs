using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Settings;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Status;

/// <summary>Reads the status: versions, catalogs, ComfyUI (probed), disk, database, Telegram.</summary>
public sealed class StudioStatus(
    LocalVersion versions,
    ComponentFigures components,
    DatabaseFigures database,
    ComfyUiClient comfyUi,
    TelemetryReader telemetry,
    StudioSettings settings,
    IOptions<StudioOptions> options)
{
    public async Task<StudioStatusReport> ReadAsync(CancellationToken ct = default)
    {
        var o = options.Value;
        var probe = comfyUi.ProbeAsync(ct);
        var disk = telemetry.ReadDiskAsync(ct);
        var tables = database.TableCountsAsync(ct);
        var local = versions.Read();
        var catalogs = await components.ReadAsync(ct);
        var comfy = await probe;
        var packages = comfy.IsRunning ? (await comfyUi.NodePackagesAsync(ct))?.Count ?? 0 : 0;
        return new StudioStatusReport(local, o.RuntimeVersion, catalogs,
            Directory.Exists(o.FrontendDir) && Directory.EnumerateFileSystemEntries(o.FrontendDir).Any(), comfy, packages,
            await disk, await tables, settings.TelegramBotToken is not null, settings.TelegramBotName, o.RepoUrl, o.DevMode);
    }
}
