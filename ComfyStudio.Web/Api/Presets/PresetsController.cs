using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The Dashboard API's preset management, GPU recommendations and preset updates. Ids in either style: <c>flux-schnell-basic</c> or <c>FLUX_SCHNELL_BASIC</c>.</summary>
[ApiController]
[Route("api/presets")]
public sealed class PresetsController(PresetStates states, PresetInstaller installer, GpuRecommendations gpus) : ControllerBase
{
    public sealed record InstallRequest(bool? Force, string? Priority);
    public sealed record UninstallRequest(bool? Confirm, bool? RemoveDependencies);

    /// <summary>The catalog, filtered (category, type, installed, search, compatible) and paged (page, per_page).</summary>
    [HttpGet]
    public async Task<PresetList> List(
        [FromQuery] string? category, [FromQuery] string? type, [FromQuery] bool? installed, [FromQuery] string? search,
        [FromQuery] bool? compatible, [FromQuery] int? page, [FromQuery(Name = "per_page")] int? perPage, CancellationToken ct)
    {
        var request = PageRequest.From(page, perPage);
        var gpu = await gpus.DetectAsync(ct);
        var all = await states.ReadAllAsync(ct: ct);
        var matching = new PresetFilter(category, type, installed, search?.Length > 200 ? search[..200] : search, compatible).Apply(all.Values, gpu);
        return PresetList.From(request.Apply(matching.Select(s => PresetResource.From(s, gpu))), gpu);
    }

    [HttpGet("recommendations")]
    public async Task<PresetRecommendations> Recommendations(CancellationToken ct) =>
        PresetRecommendations.From(await gpus.RecommendAsync(ct));

    /// <summary>Installed presets whose registry version is newer than the one installed.</summary>
    [HttpGet("updates")]
    public async Task<PresetUpdateList> Updates(CancellationToken ct) => PresetUpdateList.From(await installer.UpdatesAsync(ct));

    [HttpGet("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<PresetDetailResource> Get(string id, CancellationToken ct)
    {
        var status = await states.ReadAsync(states.Find(id), ct);
        return PresetDetailResource.From(status, await gpus.DetectAsync(ct));
    }

    /// <summary>Starts fetching what the preset lacks on the download engine (force: check every file again).</summary>
    [HttpPost("{id}/install")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status507InsufficientStorage)]
    public async Task<PresetInstallResult> Install(string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] InstallRequest? request, CancellationToken ct) =>
        // The Dashboard API answers 200: the download goes on in the background.
        PresetInstallResult.From(await installer.InstallAsync(id, request?.Force ?? false, request?.Priority, ct));

    /// <summary>Removes the preset's files that no other installed preset uses. Needs <c>{"confirm": true}</c> (or <c>?confirm=true</c>).</summary>
    [HttpDelete("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<PresetUninstallResult> Uninstall(string id, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UninstallRequest? request,
        [FromQuery] bool? confirm, [FromQuery(Name = "remove_dependencies")] bool? removeDependencies, CancellationToken ct) =>
        PresetUninstallResult.From(await installer.UninstallAsync(id, request?.Confirm ?? confirm, request?.RemoveDependencies ?? removeDependencies ?? false, ct));

    /// <summary>Where an install stands, with the download engine's live progress.</summary>
    [HttpGet("{id}/status")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<PresetInstallStatus> Status(string id, CancellationToken ct) => PresetInstallStatus.From(await states.ReadAsync(states.Find(id), ct));
}
