namespace ComfyStudio.Services.Workflows;

/// <summary>
/// One workflow of the library: a template (the registry's, or a self-update's <c>workflows</c> component; read-only)
/// or the user's own (<c>STUDIO_DIR/workflows/user/&lt;id&gt;.json</c>). <c>Path</c> is relative to <c>STUDIO_DIR</c>
/// (the registry snapshot shipped with the app reads <c>registry/workflows/…</c>); <c>Format</c> is <c>api</c> or <c>ui</c>.
/// </summary>
public sealed record WorkflowEntry(string Id, string Name, string Category, string? Description, string? Preset, string Path,
    bool Template, string Format, DateTime Modified)
{
    public const string Api = "api", Ui = "ui";
}
