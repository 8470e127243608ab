namespace ComfyStudio.Services.ComfyUi;

/// <summary>
/// Where a generation stands: <see cref="Queued"/> in ComfyUI's queue, <see cref="Running"/>, then
/// <see cref="Completed"/>, <see cref="Failed"/> (a node raised, or ComfyUI no longer knows the prompt),
/// <see cref="Interrupted"/> (stopped while running) or <see cref="Cancelled"/> (taken out of the queue before it ran).
/// </summary>
public static class GenerationStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string status) => status is Completed or Failed or Interrupted or Cancelled;
}
