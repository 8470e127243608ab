namespace ComfyStudio.Services.Models;

/// <summary>What a delete did: the files removed, the bytes freed, and each path refused with its reason.</summary>
public sealed record ModelDeletion(IReadOnlyList<string> Deleted, long BytesFreed, IReadOnlyList<ModelDeletion.Refusal> Errors)
{
    public sealed record Refusal(string Path, string Error);
}
