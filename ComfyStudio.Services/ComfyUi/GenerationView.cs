using System.Text.Json.Nodes;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// A generation as the studio records it: where it came from, where it stands (one of <see cref="GenerationStates"/>),
/// the node running and its step, ComfyUI's outputs per node, and on failure the node, its class and the reason.
/// </summary>
public sealed record GenerationView(
    string PromptId, double? Number, string Source, string? Name, string Status, DateTime QueuedAt, DateTime? StartedAt,
    DateTime? FinishedAt, string? ProgressNode, int? ProgressValue, int? ProgressMax, JsonObject Outputs, string? Error,
    string? ErrorNodeId, string? ErrorNodeType, string? ErrorTraceback, JsonObject? Graph)
{
    /// <summary>Every image of every output node, in node order: <c>{filename, subfolder, type}</c>.</summary>
    public IReadOnlyList<JsonObject> Images =>
    [
        .. Outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => (kv.Value?["images"] as JsonArray ?? []).OfType<JsonObject>()),
    ];

    public double? Seconds => StartedAt is { } s && FinishedAt is { } f ? Math.Round((f - s).TotalSeconds, 1) : null;
}
