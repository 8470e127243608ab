using ComfyStudio.Services.Presets;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets/registry/status</c>: the catalog in use, where it came from and the last sync's outcome.</summary>
public sealed record RegistryResource(
    string Status, string Version, string? GeneratedAt, int TotalPresets, IReadOnlyDictionary<string, int> Categories, string? LastSync,
    string Source, string? LastError, string? LastErrorAt)
{
    public static RegistryResource From(CatalogState state) => new(
        "loaded", state.Catalog.Version, state.Catalog.GeneratedAt, state.Catalog.Presets.Count,
        state.Catalog.Presets.Values.GroupBy(p => p.Category).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
        ApiTime.Iso(state.LastSync), state.Source, state.LastError, ApiTime.Iso(state.LastErrorAt));
}
