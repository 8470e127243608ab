using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Versions;

/// <summary>
/// A release's <c>version.json</c> (the System API's format): <c>app_version</c>, <c>date</c>, <c>min_runtime</c> and
/// per component <c>version</c>, <c>date</c> and its <c>dir</c> or <c>file</c>.
/// </summary>
public sealed record VersionManifest(string AppVersion, string Date, int MinRuntime, IReadOnlyDictionary<string, ComponentVersion> Components)
{
    /// <summary>The components the System API names, in its order, and the Chrome extension.</summary>
    public static readonly IReadOnlyList<string> KnownComponents = ["runtime", "backend", "frontend", "models", "loras", "llm_models", "workflows", "chrome_extension"];

    public ComponentVersion? Component(string name) => Components.GetValueOrDefault(name);

    /// <summary>Reads a manifest; a malformed one throws <see cref="FormatException"/> with the reason.</summary>
    public static VersionManifest Parse(string json)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new FormatException("version.json is not valid JSON: " + e.Message, e); }
        if (root is not JsonObject o) throw new FormatException("version.json is not a JSON object");
        var components = new Dictionary<string, ComponentVersion>(StringComparer.Ordinal);
        if (o["components"] is JsonObject c)
            foreach (var (name, node) in c)
                if (node is JsonObject comp)
                    components[name] = new ComponentVersion(comp["version"]?.DeepClone(), Text(comp["date"]), Text(comp["dir"]), Text(comp["file"]));
        return new VersionManifest(Text(o["app_version"]) ?? "", Text(o["date"]) ?? "", Int(o["min_runtime"]), components);
    }

    /// <summary>The manifest as the System API writes it.</summary>
    public JsonObject ToJson()
    {
        var components = new JsonObject();
        foreach (var (name, c) in Components)
        {
            var comp = new JsonObject { ["version"] = c.Version?.DeepClone(), ["date"] = c.Date };
            if (c.Dir is not null) comp["dir"] = c.Dir;
            if (c.File is not null) comp["file"] = c.File;
            components[name] = comp;
        }
        return new JsonObject { ["app_version"] = AppVersion, ["date"] = Date, ["min_runtime"] = MinRuntime, ["components"] = components };
    }

    private static string? Text(JsonNode? n) => n is JsonValue v
        ? v.TryGetValue<string>(out var s) ? s : v.TryGetValue<long>(out var l) ? l.ToString(CultureInfo.InvariantCulture) : null
        : null;

    private static int Int(JsonNode? n) => n is JsonValue v && (v.TryGetValue<int>(out var i) || (v.TryGetValue<string>(out var s) && int.TryParse(s, out i))) ? i : 0;
}
