using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>The studio's socket to ComfyUI opened or closed (published on a change only).</summary>
public sealed record ComfyUiConnectionChanged(bool Connected, string? Reason = null) : StudioEvent
{
    public override string Type => Connected ? "system.comfyui.connected" : "system.comfyui.disconnected";
    public override EventSeverity Severity => Connected ? EventSeverity.Success : EventSeverity.Warning;
    public override string Message => Connected ? "Connected to ComfyUI" : $"Lost the connection to ComfyUI{(Reason is null ? "" : ": " + Reason)}";
}

/// <summary>ComfyUI's queue changed: how many wait, how many run, and which prompt runs.</summary>
public sealed record QueueChanged(int Pending, int Running, string? RunningPromptId) : StudioEvent
{
    public override string Type => "queue.changed";
    public override string Message => $"ComfyUI's queue: {Running} running, {Pending} waiting";
    public override bool Persist => false;
}

/// <summary>A node of a generation runs (<paramref name="Value"/> of <paramref name="Max"/> for a sampler's steps).</summary>
public sealed record GenerationProgressed(string PromptId, string? Node, int Value, int Max, string Kind) : StudioEvent
{
    public override string Type => "workflow.progress";
    public override string Message => $"Generation {PromptId}: node {Node} {Value}/{Max}";
    public override bool Persist => false;
}

/// <summary>A node of a generation produced output (ComfyUI's UI dict: <c>{"images": [...]}</c>).</summary>
public sealed record GenerationOutput(string PromptId, string Node, JsonObject Output) : StudioEvent
{
    public override string Type => "workflow.output";
    public override string Message => $"Generation {PromptId}: node {Node} produced output";
    public override bool Persist => false;
}

/// <summary>A live preview frame ComfyUI streamed while a node ran (JPEG or PNG).</summary>
public sealed record GenerationPreview(string? PromptId, string? Node, string MediaType, byte[] Image) : StudioEvent
{
    public override string Type => "workflow.preview";
    public override string Message => $"Preview of {PromptId}";
    public override bool Persist => false;
}

/// <summary>A generation started running in ComfyUI.</summary>
public sealed record GenerationStarted(string PromptId) : StudioEvent
{
    public override string Type => "workflow.started";
    public override string Message => $"Generation {PromptId} started";
    public override bool Persist => false;
}

/// <summary>A generation ended: completed, failed (with the node and the reason), interrupted or cancelled.</summary>
public sealed record GenerationFinished(string PromptId, string Status, string? Error = null, string? NodeId = null, string? NodeType = null)
    : StudioEvent
{
    public override string Type => "workflow." + Status;
    public override EventSeverity Severity => Status switch
    {
        GenerationStates.Completed => EventSeverity.Success,
        GenerationStates.Failed => EventSeverity.Error,
        _ => EventSeverity.Warning,
    };
    public override string Message => Status switch
    {
        GenerationStates.Failed => $"Generation {PromptId} failed{(NodeId is null ? "" : $" at node {NodeId} ({NodeType})")}: {Error}",
        _ => $"Generation {PromptId} {Status}",
    };
    public override JsonObject? Data => new() { ["prompt_id"] = PromptId, ["status"] = Status, ["node_id"] = NodeId, ["node_type"] = NodeType };
}
