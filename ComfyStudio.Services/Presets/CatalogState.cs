namespace ComfyStudio.Services.Presets;

/// <summary>Where the catalog in use came from and when it was last synced.</summary>
public sealed record CatalogState(PresetCatalog Catalog, string Source, DateTime? LastSync, string? LastError, DateTime? LastErrorAt);
