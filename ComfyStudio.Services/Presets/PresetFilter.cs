namespace ComfyStudio.Services.Presets;

/// <summary>The Dashboard API's catalog filters (each optional), plus <paramref name="Compatible"/> with this machine's GPU.</summary>
public sealed record PresetFilter(string? Category = null, string? Type = null, bool? Installed = null, string? Search = null, bool? Compatible = null)
{
    /// <summary>The presets that pass, by name.</summary>
    public IReadOnlyList<PresetStatus> Apply(IEnumerable<PresetStatus> presets, GpuInfo? gpu) => presets
        .Where(s => Category is null || s.Preset.Category.Equals(Category.Trim(), StringComparison.OrdinalIgnoreCase))
        .Where(s => Type is null || s.Preset.Type.Equals(Type.Trim(), StringComparison.OrdinalIgnoreCase))
        .Where(s => Installed is null || s.Installed == Installed)
        .Where(s => Compatible is null || GpuRecommendations.Fits(gpu, s.Preset.VramGb) == Compatible)
        .Where(s => Matches(s.Preset, Search))
        .OrderBy(s => s.Preset.Name, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Preset.Id, StringComparer.Ordinal)
        .ToList();

    /// <summary>Every word of the search appears in the id, name, description, use case or a tag (case-insensitive).</summary>
    public static bool Matches(PresetDefinition p, string? search)
    {
        if (string.IsNullOrWhiteSpace(search)) return true;
        var text = string.Join(' ', [p.Id, p.Name, p.Description ?? "", p.UseCase ?? "", .. p.Tags]);
        return search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
    }
}
