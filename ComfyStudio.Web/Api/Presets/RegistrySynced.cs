using ComfyStudio.Services.Presets;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Presets;

/// <summary>The answer to a registry sync that swapped a new catalog in.</summary>
public sealed record RegistrySynced(string Status, string? Timestamp, int PresetsCount, string Source)
{
    public static RegistrySynced From(CatalogState state, int count) => new("synced", ApiTime.Iso(state.LastSync), count, state.Source);
}
