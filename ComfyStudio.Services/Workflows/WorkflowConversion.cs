using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>A UI-format workflow turned into the API format, or the reasons it could not be (each naming its node).</summary>
public sealed record WorkflowConversion(JsonObject? Prompt, IReadOnlyList<WorkflowError> Errors)
{
    public bool Converted => Prompt is not null;
}
