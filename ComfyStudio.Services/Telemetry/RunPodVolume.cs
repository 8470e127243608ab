using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Telemetry;

/// <summary>RunPod's GraphQL question for a pod's network volume size, and <c>du -sb</c>'s answer for what is used.</summary>
internal static class RunPodVolume
{
    /// <summary>RunPod states volume sizes in GB; like the original product, a GB is taken as 1024³ bytes.</summary>
    public const long BytesPerGb = 1024L * 1024 * 1024;

    /// <summary>The JSON body of the GraphQL request for the pod's network volume size.</summary>
    public static string RequestBody(string podId)
    {
        // The id goes inside a GraphQL string literal: its quotes and backslashes are escaped.
        var literal = podId.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return new JsonObject { ["query"] = $"query {{ pod(input: {{podId: \"{literal}\"}}) {{ networkVolume {{ size }} }} }}" }
            .ToJsonString();
    }

    /// <summary>
    /// <c>data.pod.networkVolume.size</c> (GB) from the GraphQL response, or null when it is missing, zero or not a
    /// number: an error response, an unknown pod, a pod without a network volume.
    /// </summary>
    public static long? ParseSizeGb(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            var size = JsonNode.Parse(json)?["data"]?["pod"]?["networkVolume"]?["size"];
            if (size is not JsonValue v) return null;
            if (v.TryGetValue<long>(out var l)) return l > 0 ? l : null;
            if (v.TryGetValue<double>(out var d)) return d >= 1 && double.IsFinite(d) ? (long)d : null;
            if (v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out l))
                return l > 0 ? l : null;
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The byte count <c>du -sb PATH</c> prints first (<c>53687091200	/workspace</c>), or null.</summary>
    public static long? ParseDuBytes(string? output)
    {
        if (output is null) return null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var first = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
            return long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
        }
        return null;
    }
}
