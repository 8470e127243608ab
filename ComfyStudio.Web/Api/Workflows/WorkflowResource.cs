using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>A workflow of the library: the Dashboard API's fields, then whether it is a template and its format.</summary>
/// <remarks>In the list, <c>ready</c>, <c>missing_models</c> (model files not on disk) and <c>missing_nodes</c> (classes ComfyUI lacks) come with each.</remarks>
public sealed record WorkflowResource(string Id, string Name, string Category, string? Description, string? Preset, string Path, bool Template,
    string Format, string Modified, bool? Ready = null, int? MissingModels = null, IReadOnlyList<string>? MissingNodes = null)
{
    public static WorkflowResource From(WorkflowEntry e) =>
        new(e.Id, e.Name, e.Category, e.Description, e.Preset, e.Path, e.Template, e.Format, ApiTime.Iso(e.Modified));

    public static WorkflowResource From(WorkflowEntry e, WorkflowReadiness r) =>
        From(e) with { Ready = r.Ready, MissingModels = r.Missing.Count(), MissingNodes = r.MissingNodes };
}
