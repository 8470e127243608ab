using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Status;

/// <summary>Live counts behind the components of spec A's status.</summary>
/// <param name="Models">Entries of the models catalog; <paramref name="ModelsPresent"/> of them are on disk.</param>
public sealed record CatalogCounts(int Models, int ModelsPresent, int Loras, int LlmModels, int Workflows);

/// <summary>
/// Counts what the catalogs in <c>STUDIO_DIR/catalogs</c> hold (spec A's format: <c>categories[].models[]</c>) and
/// the workflow templates in <c>STUDIO_DIR/workflows/templates</c>. A catalog that is absent or unreadable counts 0.
/// </summary>
public sealed class ComponentFigures(IOptions<StudioOptions> options, ILogger<ComponentFigures> logger)
{
    public CatalogCounts Read()
    {
        var o = options.Value;
        var catalogs = Path.Combine(o.StudioDir!, "catalogs");
        var models = Entries(Path.Combine(catalogs, "models.json"));
        var present = models.Count(m => IsPresent(o.ModelsDir, m));
        var llm = Entries(Path.Combine(catalogs, "llm.json"));
        if (llm.Count == 0) llm = Entries(Path.Combine(catalogs, "llm-models.json"));
        return new CatalogCounts(models.Count, present, Entries(Path.Combine(catalogs, "loras.json")).Count, llm.Count,
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

    /// <summary>An entry's file exists under <c>models/&lt;dest&gt;/&lt;file&gt;</c>, non-empty and inside the models folder.</summary>
    private static bool IsPresent(string modelsDir, JsonObject entry)
    {
        if (entry["file"] is not JsonValue f || !f.TryGetValue<string>(out var file) || file.Length == 0) return false;
        var dest = entry["dest"] is JsonValue d && d.TryGetValue<string>(out var s) ? s : "";
        var root = Path.GetFullPath(modelsDir) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(modelsDir, dest, file));
        if (!path.StartsWith(root, StringComparison.Ordinal)) return false; // a catalog entry may not point outside models/
        var info = new FileInfo(path);
        return info.Exists && info.Length > 0;
    }

    /// <summary>Workflow templates: a folder per workflow (spec A) or a JSON file per workflow.</summary>
    private static int CountWorkflows(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        return Directory.EnumerateDirectories(dir).Count(d => !Path.GetFileName(d).StartsWith('.'))
               + Directory.EnumerateFiles(dir, "*.json").Count(f => !string.Equals(Path.GetFileName(f), "index.json", StringComparison.OrdinalIgnoreCase));
    }
}
