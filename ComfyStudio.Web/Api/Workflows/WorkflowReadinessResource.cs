using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>Whether a workflow can run here: each model file it loads (on disk or not, who provides a missing one) and the node classes ComfyUI lacks.</summary>
public sealed record WorkflowReadinessResource(bool Ready, IReadOnlyList<WorkflowReadinessResource.Model> Models, IReadOnlyList<string> MissingNodes)
{
    public sealed record Model(string Path, string Folder, string Name, string? NodeId, string? Input, bool Present, IReadOnlyList<string> Presets, string? Url);

    public static WorkflowReadinessResource From(WorkflowReadiness r) =>
        new(r.Ready, [.. r.Models.Select(m => new Model(m.Path, m.Folder, m.Name, m.NodeId, m.Input, m.Present, m.Presets, m.Url))], r.MissingNodes);
}
