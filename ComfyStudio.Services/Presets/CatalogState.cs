using System.Text.Json;
using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>Where the catalog in use came from and when it was last synced.</summary>
public sealed record CatalogState(PresetCatalog Catalog, string Source, DateTime? LastSync, string? LastError, DateTime? LastErrorAt);
