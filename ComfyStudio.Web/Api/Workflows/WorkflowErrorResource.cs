using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>One error of a workflow, on its node and input (the shape of <c>INVALID_WORKFLOW</c>'s <c>node_errors</c>).</summary>
public sealed record WorkflowErrorResource(string? NodeId, string? ClassType, string? Input, string Type, string Message)
{
    public static WorkflowErrorResource From(WorkflowError e) => new(e.NodeId, e.ClassType, e.Input, e.Type, e.Message);
}
