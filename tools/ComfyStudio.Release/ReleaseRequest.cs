namespace ComfyStudio.Release;

/// <summary>What to build: versions come from the repository's <c>version.json</c>, overridden here.</summary>
public sealed record ReleaseRequest
{
    /// <summary>The repository root (holds <c>ComfyStudio.sln</c> and <c>version.json</c>).</summary>
    public required string RepoRoot { get; init; }
    /// <summary>The release tree to write (must be absent or empty).</summary>
    public required string Output { get; init; }
    /// <summary>The release's <c>app_version</c>; <c>backend</c> and <c>frontend</c> follow it unless set.</summary>
    public string? AppVersion { get; init; }
    /// <summary>Component versions to set (<c>models=3</c>, <c>backend=1.2.0</c>): digits make an integer, anything else a string.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public int? MinRuntime { get; init; }
    /// <summary>Copy this already-published backend instead of running <c>dotnet publish</c>.</summary>
    public string? BackendFrom { get; init; }
    /// <summary>The release date (<c>yyyy-MM-dd HH:mm</c>, UTC); now when absent.</summary>
    public string? Date { get; init; }
    /// <summary>The platform the backend is published for (pods are <c>linux-x64</c>); native libraries of others are left out.</summary>
    public string Runtime { get; init; } = "linux-x64";
}
