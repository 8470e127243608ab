namespace ComfyStudio.Services.Presets;

/// <summary>One entry of <c>registry.json</c> (the index): what the list shows, and where its <c>preset.yaml</c> is.</summary>
public sealed record RegistryEntry(string Id, string Name, string Category, string Type, string? DownloadSize, double? VramGb, string Path);
