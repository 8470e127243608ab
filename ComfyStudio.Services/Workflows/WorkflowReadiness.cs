namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Whether a workflow can run on this pod: each model file it loads (present on disk or not, and for a missing one the
/// preset or the URL that provides it) and the node classes ComfyUI does not have.
/// </summary>
public sealed record WorkflowReadiness(bool Ready, IReadOnlyList<WorkflowModel> Models, IReadOnlyList<string> MissingNodes)
{
    public IEnumerable<WorkflowModel> Missing => Models.Where(m => !m.Present);
}

/// <summary>
/// A model file a workflow loads: its ComfyUI folder and name (<c>loras</c>, <c>style/x.safetensors</c>), the node and
/// input that name it, whether it is on disk, and who provides it (a preset of the registry, or the URL the workflow names).
/// </summary>
public sealed record WorkflowModel(string Folder, string Name, string? NodeId, string? Input, bool Present, IReadOnlyList<string> Presets, string? Url)
{
    public string Path => Folder + "/" + Name;
}
