using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The Dashboard API's registry sync and status.</summary>
[ApiController]
[Route("api/presets/registry")]
public sealed class RegistryController(PresetCatalogStore store) : ControllerBase
{
    /// <summary>Fetches the whole registry from <c>REGISTRY_URL</c> and swaps it in when every file parsed; else the catalog stays and the answer says why.</summary>
    [HttpGet("sync")]
    [HttpPost("sync")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status500InternalServerError)]
    public async Task<RegistrySynced> Sync([FromServices] RegistrySync sync, CancellationToken ct)
    {
        try
        {
            var count = await sync.RunAsync(ct);
            return RegistrySynced.From(store.State, count);
        }
        catch (RegistrySyncException e)
        {
            throw new StudioException(ErrorCodes.InternalError, $"Registry sync failed: {e.Message}; the current catalog stays",
                new Dictionary<string, object?> { ["source"] = sync.Source, ["presets_count"] = store.State.Catalog.Presets.Count });
        }
    }

    [HttpGet("status")]
    public RegistryResource Status() => RegistryResource.From(store.State);
}
