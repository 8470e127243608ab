namespace ComfyStudio.Services.Presets;

/// <summary>The whole registry: the index and every preset's definition.</summary>
public sealed record PresetCatalog(string Version, string? GeneratedAt, IReadOnlyList<RegistryEntry> Entries, IReadOnlyDictionary<string, PresetDefinition> Presets);
