namespace ComfyStudio.Services.ComfyUi;

/// <summary>ComfyUI's queue: what runs now and what waits, by number.</summary>
public sealed record ComfyUiQueue(IReadOnlyList<QueuedPrompt> Running, IReadOnlyList<QueuedPrompt> Pending);
