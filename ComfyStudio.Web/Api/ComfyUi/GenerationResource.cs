using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>
/// A generation as the Dashboard API's history shows it (<c>prompt_id</c>, <c>status</c>, <c>outputs.images</c>,
/// <c>started</c>, <c>completed</c>), with the studio's record beside it: where it came from, its number, progress,
/// every node's outputs and, on failure, the node and the reason.
/// </summary>
public sealed record GenerationResource(
    string PromptId, string Status, GenerationResource.OutputImages Outputs, string? Started, string? Completed, string Source,
    string? Name, double? Number, string Queued, double? DurationSeconds, GenerationResource.Progress? Running,
    GenerationResource.Failure? Error, JsonObject NodeOutputs)
{
    public sealed record OutputImages(IReadOnlyList<JsonObject> Images);

    /// <summary>The node running now and its step (<c>value</c> of <c>max</c>).</summary>
    public sealed record Progress(string? Node, int? Value, int? Max);

    /// <summary>Why it did not complete: ComfyUI's exception message, the node and its class, the traceback's end.</summary>
    public sealed record Failure(string? Message, string? NodeId, string? NodeType, string? Traceback);

    public static GenerationResource From(GenerationView g) => new(
        g.PromptId, g.Status, new OutputImages([.. g.Images.Select(i => (JsonObject)i.DeepClone())]), ApiTime.Iso(g.StartedAt), ApiTime.Iso(g.FinishedAt),
        g.Source, g.Name, g.Number, ApiTime.Iso(g.QueuedAt), g.Seconds,
        g.Status == GenerationStates.Running ? new Progress(g.ProgressNode, g.ProgressValue, g.ProgressMax) : null,
        g.Error is null && g.ErrorNodeId is null ? null : new Failure(g.Error, g.ErrorNodeId, g.ErrorNodeType, g.ErrorTraceback),
        (JsonObject)g.Outputs.DeepClone());
}
