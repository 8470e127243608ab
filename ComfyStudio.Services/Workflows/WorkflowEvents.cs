using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Workflows;

/// <summary>A user workflow was saved (created or replaced).</summary>
public sealed record WorkflowSaved(string WorkflowId, string Name) : StudioEvent
{
    public override string Type => "workflow.saved";
    public override string Message => $"Workflow {Name} saved";
    public override JsonObject? Data => new() { ["workflow_id"] = WorkflowId, ["name"] = Name };
}

/// <summary>A user workflow was deleted.</summary>
public sealed record WorkflowDeleted(string WorkflowId) : StudioEvent
{
    public override string Type => "workflow.deleted";
    public override string Message => $"Workflow {WorkflowId} deleted";
    public override JsonObject? Data => new() { ["workflow_id"] = WorkflowId };
}

/// <summary>
/// A workflow turned ready or stopped being ready, or what it misses changed: a model arrived or left, a node package
/// was installed (ComfyUI restarted with new classes).
/// </summary>
public sealed record WorkflowReadinessChanged(string WorkflowId, string Name, WorkflowReadiness Readiness) : StudioEvent
{
    public override string Type => "workflow.readiness";
    public override string Message => Readiness.Ready ? $"Workflow {Name} is ready to run" : $"Workflow {Name} misses {WorkflowReadinessWatcher.Describe(Readiness)}";
    public override bool Persist => false;
}
