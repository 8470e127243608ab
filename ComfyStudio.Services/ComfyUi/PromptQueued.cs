namespace ComfyStudio.Services.ComfyUi;

/// <summary>A prompt ComfyUI accepted; <paramref name="NodeErrors"/> lists outputs it dropped as invalid.</summary>
public sealed record PromptQueued(string PromptId, double Number, IReadOnlyList<NodeError> NodeErrors);
