using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Conventions;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>Spec B's registry sync and status.</summary>
[ApiController]
[Route("api/presets/registry")]
public sealed class RegistryController(PresetCatalogStore store) : ControllerBase
{
    /// <summary>Fetches the whole registry from <c>REGISTRY_URL</c> and swaps it in when every file parsed; else the catalog stays and the answer says why.</summary>
    [HttpGet("sync")]
    [HttpPost("sync")]
    public async Task<JsonObject> Sync([FromServices] RegistrySync sync, CancellationToken ct)
    {
        try
        {
            var count = await sync.RunAsync(ct);
            var state = store.State;
            return new JsonObject
            {
                ["status"] = "synced", ["timestamp"] = ApiTime.Iso(state.LastSync), ["presets_count"] = count, ["source"] = state.Source,
            };
        }
        catch (RegistrySyncException e)
        {
            throw new StudioException(ErrorCodes.InternalError, $"Registry sync failed: {e.Message}; the current catalog stays",
                new Dictionary<string, object?> { ["source"] = sync.Source, ["presets_count"] = store.State.Catalog.Presets.Count });
        }
    }

    [HttpGet("status")]
    public JsonObject Status()
    {
        var state = store.State;
        var categories = new JsonObject();
        foreach (var group in state.Catalog.Presets.Values.GroupBy(p => p.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
            categories[group.Key] = group.Count();
        return new JsonObject
        {
            ["status"] = "loaded",
            ["version"] = state.Catalog.Version,
            ["generated_at"] = state.Catalog.GeneratedAt,
            ["total_presets"] = state.Catalog.Presets.Count,
            ["categories"] = categories,
            ["last_sync"] = ApiTime.Iso(state.LastSync),
            ["source"] = state.Source,
            ["last_error"] = state.LastError,
            ["last_error_at"] = ApiTime.Iso(state.LastErrorAt),
        };
    }

}
