using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Presets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Status;

/// <summary>
/// Live counts for the System API's components. Models are the preset catalog's files (one catalog behind every count):
/// present means installed and verified by the download engine, not merely a path that exists. LoRAs and LLM
/// models count the catalogs in <c>STUDIO_DIR/catalogs</c> (the System API's format: <c>categories[].models[]</c>), workflows
/// the templates in <c>STUDIO_DIR/workflows/templates</c>. A catalog that is absent or unreadable counts 0.
/// </summary>
public sealed class ComponentFigures(IOptions<StudioOptions> options, PresetStates presets, ILogger<ComponentFigures> logger)
{
    public async Task<CatalogCounts> ReadAsync(CancellationToken ct = default)
    {
        var o = options.Value;
        var catalogs = Path.Combine(o.StudioDir!, "catalogs");
        var files = (await presets.ReadAllAsync(withDownloads: false, ct: ct)).Values.SelectMany(p => p.Files)
            .GroupBy(f => f.Path ?? f.File.Path, StringComparer.Ordinal)
            .Select(g => g.First()).ToList();
        var llm = Entries(Path.Combine(catalogs, "llm.json"));
        if (llm.Count == 0) llm = Entries(Path.Combine(catalogs, "llm-models.json"));
        return new CatalogCounts(files.Count, files.Count(f => f.IsInstalled), Entries(Path.Combine(catalogs, "loras.json")).Count, llm.Count,
            CountWorkflows(Path.Combine(o.StudioDir!, "workflows", "templates")));
    }

    /// <summary>The entries of a catalog file (<c>{version, date, categories[{id, name, models[]}]}</c>).</summary>
    internal List<JsonObject> Entries(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var stream = File.OpenRead(path);
            if (JsonNode.Parse(stream) is not JsonObject root || root["categories"] is not JsonArray categories) return [];
            return categories.OfType<JsonObject>()
                .SelectMany(c => c["models"] as JsonArray ?? [])
                .OfType<JsonObject>().ToList();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Catalog {Path} is unreadable: {Reason}", path, e.Message);
            return [];
        }
    }

    /// <summary>Workflow templates: a folder per workflow (the System API) or a JSON file per workflow.</summary>
    private static int CountWorkflows(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        return Directory.EnumerateDirectories(dir).Count(d => !Path.GetFileName(d).StartsWith('.'))
               + Directory.EnumerateFiles(dir, "*.json").Count(f => !string.Equals(Path.GetFileName(f), "index.json", StringComparison.OrdinalIgnoreCase));
    }
}
