using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// A preset as the public registry's <c>preset.yaml</c> defines it (schema and the flaws of the real files:
/// <c>"~23GB"</c>, <c>"15.27GB (15635MB)"</c>, <c>vram_gb: 0</c> meaning unknown, <c>/blob/</c> URLs).
/// </summary>
public sealed record PresetDefinition(
    string Id, string Version, string Name, string Category, string Type, string? Description,
    string? DownloadSizeText, long? DownloadSizeBytes, double? VramGb, double? DiskGb,
    IReadOnlyList<string> Tags, string? UseCase, string? Created, string? Updated,
    IReadOnlyList<PresetFile> Files, IReadOnlyList<string> Dependencies, IReadOnlyList<string> Workflows)
{
    /// <summary>The files a preset needs to count as installed.</summary>
    public IEnumerable<PresetFile> RequiredFiles => Files.Where(f => !f.Optional);

    /// <summary>Reads a parsed <c>preset.yaml</c>; a definition that cannot be used (no id, no files…) throws <see cref="FormatException"/> with the reason.</summary>
    public static PresetDefinition FromJson(JsonObject o, string? expectedId = null)
    {
        var id = Text(o["id"]) ?? expectedId ?? throw new FormatException("'id' is missing");
        if (!PresetIds.IsValid(id)) throw new FormatException($"'id' '{id}' is not a preset id");
        if (o["files"] is not JsonArray files || files.Count == 0) throw new FormatException($"{id}: 'files' must list at least one file");
        var requirements = o["requirements"] as JsonObject;
        var parsed = files.Select((f, i) => File(f as JsonObject ?? throw new FormatException($"{id}: files[{i}] is not a mapping"), id, i)).ToList();
        var downloadText = Text(o["download_size"]);
        return new PresetDefinition(
            id, Text(o["version"]) ?? "0.0.0", Text(o["name"]) ?? id, Text(o["category"]) ?? "", Text(o["type"]) ?? "",
            Text(o["description"]), downloadText, SizeText.ToBytes(downloadText),
            Positive(Number(requirements?["vram_gb"])), Positive(Number(requirements?["disk_gb"])),
            Strings(o["tags"]), Text(o["use_case"]), Text(o["created"]), Text(o["updated"]), parsed,
            Strings(requirements?["dependencies"]).Concat(Strings(o["dependencies"])).Select(PresetIds.Normalize).Distinct().ToList(),
            WorkflowNames(o["compatible_workflows"]));
    }

    private static PresetFile File(JsonObject f, string id, int i)
    {
        var path = Text(f["path"])?.Trim() ?? throw new FormatException($"{id}: files[{i}].path is missing");
        // A path that could leave the models folder is a broken preset, never a file to write or delete.
        if (path.StartsWith('/') || path.Contains('\\') || path.Contains('\0') || path.Split('/').Any(s => s is "" or "." or ".."))
            throw new FormatException($"{id}: files[{i}].path '{path}' is not a relative path inside the models folder");
        var url = Text(f["url"]) ?? throw new FormatException($"{id}: files[{i}].url is missing");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FormatException($"{id}: files[{i}].url is not an http(s) URL");
        var source = f["source"] as JsonObject;
        var sizeText = Text(f["size"]);
        var exact = Number(f["size_bytes"]) is { } b && b > 0 ? (long?)b : null;
        return new PresetFile(path.Trim(), url.Trim(), sizeText, exact ?? SizeText.ToBytes(sizeText), exact is not null,
            f["optional"] is JsonValue v && v.TryGetValue<bool>(out var optional) && optional,
            Text(source?["type"]), Text(source?["repo"]), Text(source?["revision"]), Sha256Of(f));
    }

    /// <summary>The file's SHA-256 from <c>sha256</c>, <c>checksum: {algorithm: sha256, value}</c> or <c>checksum: "sha256:…"</c>.</summary>
    private static string? Sha256Of(JsonObject f)
    {
        var candidate = Text(f["sha256"]) ?? f["checksum"] switch
        {
            JsonObject c when string.Equals(Text(c["algorithm"]), "sha256", StringComparison.OrdinalIgnoreCase) => Text(c["value"]),
            JsonValue s when Text(s) is { } text && text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) => text[7..],
            _ => null,
        };
        candidate = candidate?.Trim().ToLowerInvariant();
        return candidate is { Length: 64 } && candidate.All(Uri.IsHexDigit) ? candidate : null;
    }

    internal static string? Text(JsonNode? n) => n is JsonValue v
        ? v.TryGetValue<string>(out var s) ? (string.IsNullOrWhiteSpace(s) ? null : s)
        : v.TryGetValue<long>(out var l) ? l.ToString(CultureInfo.InvariantCulture)
        : v.TryGetValue<double>(out var d) ? d.ToString(CultureInfo.InvariantCulture)
        : v.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : null
        : null;

    internal static double? Number(JsonNode? n) => n is JsonValue v
        ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d) ? d : null
        : null;

    /// <summary>0 means "unknown" in the real registry.</summary>
    private static double? Positive(double? d) => d is > 0 ? d : null;

    /// <summary><c>compatible_workflows</c>: entries with an <c>id</c> (or a <c>name</c>), or plain names.</summary>
    private static IReadOnlyList<string> WorkflowNames(JsonNode? n) =>
        n is JsonArray a ? a.Select(w => w is JsonObject o ? Text(o["id"]) ?? Text(o["name"]) : Text(w)).OfType<string>().Distinct().ToList() : [];

    private static IReadOnlyList<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(Text).OfType<string>().ToList() : [];
}
