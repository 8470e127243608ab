using System.Text.Json.Nodes;

namespace ComfyStudio.Services.ComfyUi;

/// <summary><c>running</c> (answers), <c>error</c> (answers, but not as ComfyUI should) or <c>unreachable</c>.</summary>
public sealed record ComfyUiProbe(string Status, string? Version, string? Error, JsonObject? SystemStats)
{
    public const string Running = "running", Failing = "error", Unreachable = "unreachable";
    public bool IsRunning => Status == Running;
}
