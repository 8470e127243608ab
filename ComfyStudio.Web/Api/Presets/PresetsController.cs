using System.Text.Json.Nodes;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Conventions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>Spec B's preset management, GPU recommendations and preset updates. Ids in either style: <c>flux-schnell-basic</c> or <c>FLUX_SCHNELL_BASIC</c>.</summary>
[ApiController]
[Route("api/presets")]
public sealed class PresetsController(PresetStates states, PresetInstaller installer, GpuRecommendations gpus) : ControllerBase
{
    public sealed record InstallRequest(bool? Force, string? Priority);
    public sealed record UninstallRequest(bool? Confirm, bool? RemoveDependencies);

    /// <summary>The catalog, filtered (category, type, installed, search, compatible) and paged (page, per_page).</summary>
    [HttpGet]
    public async Task<Dictionary<string, object?>> List(
        [FromQuery] string? category, [FromQuery] string? type, [FromQuery] bool? installed, [FromQuery] string? search,
        [FromQuery] bool? compatible, [FromQuery] int? page, [FromQuery(Name = "per_page")] int? perPage, CancellationToken ct)
    {
        var request = PageRequest.From(page, perPage);
        var gpu = await gpus.DetectAsync(ct);
        var all = await states.ReadAllAsync(ct);
        var matching = new PresetFilter(category, type, installed, search?.Length > 200 ? search[..200] : search, compatible).Apply(all.Values, gpu);
        var body = Paged.Body("presets", request.Apply(matching.Select(s => Summary(s, gpu))));
        body["gpu"] = Gpu(gpu);
        return body;
    }

    [HttpGet("recommendations")]
    public async Task<JsonObject> Recommendations(CancellationToken ct)
    {
        var r = await gpus.RecommendAsync(ct);
        return new JsonObject
        {
            ["gpu"] = Gpu(r.Gpu),
            ["compatible"] = Fits(r.Compatible),
            ["incompatible"] = Fits(r.Incompatible),
            ["unknown"] = Fits(r.Unknown),
        };
    }

    /// <summary>Installed presets whose registry version is newer than the one installed.</summary>
    [HttpGet("updates")]
    public async Task<JsonObject> Updates(CancellationToken ct)
    {
        var updates = await installer.UpdatesAsync(ct);
        return new JsonObject
        {
            ["total"] = updates.Count,
            ["updates"] = new JsonArray([.. updates.Select(u => (JsonNode)new JsonObject
            {
                ["id"] = u.Preset.Id, ["name"] = u.Preset.Name, ["local_version"] = u.LocalVersion, ["remote_version"] = u.Preset.Version,
                ["category"] = u.Preset.Category, ["type"] = u.Preset.Type, ["installed"] = u.Installed,
            })]),
        };
    }

    [HttpGet("{id}")]
    public async Task<JsonObject> Get(string id, CancellationToken ct)
    {
        var status = await states.ReadAsync(states.Find(id), ct);
        var gpu = await gpus.DetectAsync(ct);
        var body = Summary(status, gpu);
        body["files"] = new JsonArray([.. status.Files.Select(f => (JsonNode)new JsonObject
        {
            ["path"] = f.File.Path,
            ["url"] = f.File.Url,
            ["size"] = f.File.SizeText,
            ["size_bytes"] = f.File.SizeBytes,
            ["optional"] = f.File.Optional,
            ["installed"] = f.IsInstalled,
            ["state"] = f.State,
            ["size_on_disk"] = f.SizeOnDisk,
            ["downloaded_bytes"] = f.DownloadedBytes,
            ["sha256"] = f.File.Sha256,
            ["error"] = f.Error,
            ["error_code"] = f.ErrorCode,
            ["needs_token"] = f.NeedsToken,
        })]);
        body["dependencies"] = new JsonArray([.. status.Preset.Dependencies.Select(d => (JsonNode)d)]);
        body["workflows"] = new JsonArray([.. status.Preset.Workflows.Select(w => (JsonNode)w)]);
        return body;
    }

    /// <summary>Starts fetching what the preset lacks on the download engine (force: check every file again).</summary>
    [HttpPost("{id}/install")]
    [ProducesResponseType<JsonObject>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Install(string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] InstallRequest? request, CancellationToken ct)
    {
        var started = await installer.InstallAsync(id, request?.Force ?? false, request?.Priority, ct);
        return Ok(Started(started)); // spec B answers 200 (the download goes on in the background)
    }

    internal static JsonObject Started(PresetInstallStarted s) => new()
    {
        ["status"] = s.InstalledAtOnce ? "installed" : "installing",
        ["preset_id"] = s.PresetId,
        ["download_id"] = s.DownloadId,
        ["estimated_time_seconds"] = s.EstimatedSeconds,
        ["total_size_gb"] = ByteSize.Gb(s.BytesToFetch, 3),
        ["total_size_bytes"] = s.BytesToFetch,
        ["already_installing"] = s.AlreadyUnderWay,
    };

    /// <summary>Removes the preset's files that no other installed preset uses. Needs <c>{"confirm": true}</c> (or <c>?confirm=true</c>).</summary>
    [HttpDelete("{id}")]
    public async Task<JsonObject> Uninstall(string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UninstallRequest? request,
        [FromQuery] bool? confirm, [FromQuery(Name = "remove_dependencies")] bool? removeDependencies, CancellationToken ct)
    {
        var done = await installer.UninstallAsync(id, request?.Confirm ?? confirm, request?.RemoveDependencies ?? removeDependencies ?? false, ct);
        return new JsonObject
        {
            ["status"] = "uninstalled",
            ["preset_id"] = done.PresetId,
            ["files_removed"] = done.FilesRemoved,
            ["space_freed_gb"] = ByteSize.Gb(done.BytesFreed, 3),
            ["bytes_freed"] = done.BytesFreed,
            ["files_kept"] = new JsonArray([.. done.FilesKept.Select(f => (JsonNode)f)]),
            ["removed_presets"] = new JsonArray([.. done.RemovedPresets.Select(p => (JsonNode)p)]),
        };
    }

    /// <summary>Where an install stands, with the download engine's live progress.</summary>
    [HttpGet("{id}/status")]
    public async Task<JsonObject> Status(string id, CancellationToken ct) => StatusBody(await states.ReadAsync(states.Find(id), ct));

    internal static JsonObject StatusBody(PresetStatus s)
    {
        var required = s.Files.Where(f => !f.File.Optional).ToList();
        var d = s.Download is { IsActive: true } or { Status: "paused" } ? s.Download : null;
        var installedBytes = required.Where(f => f.IsInstalled).Sum(f => f.SizeOnDisk ?? 0);
        var progress = d?.Progress ?? (s.Installed ? 100 : s.TotalBytes > 0 ? Math.Round(Math.Min(100, 100d * installedBytes / s.TotalBytes), 1) : 0);
        return new JsonObject
        {
            ["preset_id"] = s.Preset.Id,
            ["status"] = s.State,
            ["installed"] = s.Installed,
            ["progress"] = progress,
            ["current_file"] = d?.CurrentFile,
            ["download_speed_mbps"] = d?.SpeedMegabytesPerSecond ?? 0,
            ["eta_seconds"] = d?.EtaSeconds,
            ["files"] = new JsonObject
            {
                ["total"] = required.Count,
                ["completed"] = required.Count(f => f.IsInstalled),
                ["failed"] = required.Count(f => f.State == FileStates.Failed),
            },
            ["download_id"] = s.Download?.Id,
            ["error"] = s.Download?.Status == "failed" ? s.Download.Error : null,
            ["needs_token"] = s.NeedsToken,
        };
    }

    private static JsonObject Summary(PresetStatus s, GpuInfo? gpu) => new()
    {
        ["id"] = s.Preset.Id,
        ["name"] = s.Preset.Name,
        ["category"] = s.Preset.Category,
        ["type"] = s.Preset.Type,
        ["description"] = s.Preset.Description,
        ["download_size"] = s.Preset.DownloadSizeText,
        ["installed"] = s.Installed,
        ["install_date"] = s.InstalledAt is { } at ? ApiTime.Iso(at) : null,
        ["use_case"] = s.Preset.UseCase,
        ["tags"] = new JsonArray([.. s.Preset.Tags.Select(t => (JsonNode)t)]),
        ["version"] = s.Preset.Version,
        ["installed_version"] = s.InstalledVersion,
        ["status"] = s.State,
        ["size_bytes"] = s.TotalBytes,
        ["missing_bytes"] = s.MissingBytes,
        ["file_count"] = s.Files.Count,
        ["vram_gb"] = s.Preset.VramGb,
        ["disk_gb"] = s.Preset.DiskGb,
        ["compatible"] = GpuRecommendations.Fits(gpu, s.Preset.VramGb),
    };

    private static JsonObject? Gpu(GpuInfo? gpu) => gpu is null ? null : new JsonObject
    {
        ["name"] = gpu.Name, ["vram_mb"] = gpu.VramMb, ["vram_gb"] = gpu.VramGb, ["source"] = gpu.Source,
    };

    private static JsonArray Fits(IReadOnlyList<PresetFit> fits) => new([.. fits.Select(f => (JsonNode)new JsonObject
    {
        ["id"] = f.Preset.Id, ["name"] = f.Preset.Name, ["vram_gb"] = f.VramGb, ["compatible"] = f.Compatible, ["installed"] = f.Installed,
        ["category"] = f.Preset.Category, ["type"] = f.Preset.Type,
    })]);
}
