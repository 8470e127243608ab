namespace ComfyStudio.Services.ComfyUi;

/// <summary>One of ComfyUI's validation errors: the node, its class, the input (when one), the kind and the words.</summary>
public sealed record NodeError(string NodeId, string ClassType, string? Input, string Type, string Message);
