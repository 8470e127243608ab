using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Reads the public preset registry: <c>registry.json</c> and each preset's <c>preset.yaml</c> through its <c>path</c>,
/// relative to the registry's location (a folder here). Everything is read before anything is returned, so a caller
/// replaces its catalog only with a complete one; a file that cannot be used fails the read with the reason.
/// </summary>
public static class RegistryReader
{
    public static async Task<PresetCatalog> ReadAsync(Func<string, CancellationToken, Task<string>> readFile, CancellationToken ct = default)
    {
        JsonObject index;
        try { index = JsonNode.Parse(await readFile("registry.json", ct)) as JsonObject ?? throw new FormatException("registry.json is not an object"); }
        catch (JsonException e) { throw new FormatException("registry.json is not valid JSON: " + e.Message, e); }
        if (index["presets"] is not JsonObject presets) throw new FormatException("registry.json has no 'presets'");

        var entries = new List<RegistryEntry>();
        var definitions = new Dictionary<string, PresetDefinition>(StringComparer.Ordinal);
        foreach (var (key, node) in presets)
        {
            if (node is not JsonObject p) throw new FormatException($"registry.json: preset '{key}' is not an object");
            var path = PresetDefinition.Text(p["path"]) ?? throw new FormatException($"registry.json: preset '{key}' has no path");
            if (path.StartsWith('/') || path.Contains('\\') || path.Split('/').Any(s => s is ".." or "."))
                throw new FormatException($"registry.json: preset '{key}' has an unsafe path '{path}'");
            var id = PresetIds.Normalize(key);
            PresetDefinition definition;
            try
            {
                definition = PresetDefinition.FromJson(ParseYaml(await readFile(path, ct)), id);
            }
            catch (Exception e) when (e is FormatException or YamlException)
            {
                throw new FormatException($"{path}: {e.Message}", e);
            }
            if (PresetIds.Normalize(definition.Id) != id) throw new FormatException($"{path}: its id '{definition.Id}' is not the registry's '{key}'");
            definitions[id] = definition = definition with { Id = id }; // the registry's canonical spelling
            var vram = PresetDefinition.Number(p["vram_gb"]);
            entries.Add(new RegistryEntry(id, PresetDefinition.Text(p["name"]) ?? definition.Name, PresetDefinition.Text(p["category"]) ?? definition.Category,
                PresetDefinition.Text(p["type"]) ?? definition.Type, PresetDefinition.Text(p["download_size"]), vram is > 0 ? vram : null, path));
        }
        return new PresetCatalog(PresetDefinition.Text(index["version"]) ?? "", PresetDefinition.Text(index["generated_at"]), entries, definitions);
    }

    /// <summary>Reads a registry kept in a folder.</summary>
    public static Task<PresetCatalog> ReadFolderAsync(string folder, CancellationToken ct = default) =>
        ReadAsync((relative, c) => File.ReadAllTextAsync(Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar)), c), ct);

    /// <summary>A YAML document as JSON nodes (plain scalars typed as YAML 1.2's core schema types them).</summary>
    public static JsonObject ParseYaml(string text)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(text)) stream.Load(reader);
        if (stream.Documents.Count == 0 || ToJson(stream.Documents[0].RootNode) is not JsonObject root)
            throw new FormatException("the document is not a mapping");
        return root;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } p => Plain(p.Value),
        YamlScalarNode q => JsonValue.Create(q.Value),
        _ => null,
    };

    /// <summary>
    /// A plain scalar. Numbers only when they read back the same (no leading zeros, not a 64-digit hash that happens
    /// to hold only digits), so a checksum or a version stays text.
    /// </summary>
    private static JsonNode? Plain(string? value) => value switch
    {
        { Length: > 20 } => JsonValue.Create(value),
        _ when value is { Length: > 1 } && value[0] == '0' && char.IsDigit(value[1]) => JsonValue.Create(value),
        null or "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !value.Contains('_') => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
