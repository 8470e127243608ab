namespace ComfyStudio.Services.Updates;

/// <summary>What an update did (the System API's three answers: updated, up to date, blocked). Also the Hangfire job's result.</summary>
public sealed class UpdateResult
{
    public List<string> Updated { get; init; } = [];
    public bool RestartNeeded { get; init; }
    public string Message { get; init; } = "";
    public bool Blocked { get; init; }
    public int? RemoteMinRuntime { get; init; }
    public int? LocalRuntime { get; init; }
    /// <summary>The manifests compared (the System API's <c>debug</c>), as JSON text.</summary>
    public string? LocalVersionJson { get; init; }
    public string? RemoteVersionJson { get; init; }
}
