using System.Globalization;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Versions;

/// <summary>One component of a release in <c>version.json</c>: its version (an integer or a dotted string), date, and where it lives.</summary>
public sealed record ComponentVersion(JsonNode? Version, string? Date, string? Dir, string? File)
{
    /// <summary>The version as text (<c>3</c>, <c>"20.4.2"</c>), or empty.</summary>
    public string VersionText => Version switch
    {
        JsonValue v when v.TryGetValue<long>(out var n) => n.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };
}
