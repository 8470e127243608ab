using ComfyStudio.Services.ComfyUi;

namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>ComfyUI's queue as the Dashboard API shows it: the running and the pending prompts, by number.</summary>
public sealed record QueueResource(IReadOnlyList<QueueResource.Prompt> QueueRunning, IReadOnlyList<QueueResource.Prompt> QueuePending)
{
    public sealed record Prompt(string PromptId, long Number);

    public static QueueResource From(ComfyUiQueue queue) => new(Of(queue.Running), Of(queue.Pending));

    private static List<Prompt> Of(IReadOnlyList<QueuedPrompt> prompts) => [.. prompts.Select(p => new Prompt(p.PromptId, p.Number))];
}
