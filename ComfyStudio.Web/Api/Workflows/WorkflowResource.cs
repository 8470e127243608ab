using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>A workflow of the library: the Dashboard API's fields, then whether it is a template and its format.</summary>
public sealed record WorkflowResource(string Id, string Name, string Category, string? Description, string? Preset, string Path, bool Template,
    string Format, string Modified)
{
    public static WorkflowResource From(WorkflowEntry e) =>
        new(e.Id, e.Name, e.Category, e.Description, e.Preset, e.Path, e.Template, e.Format, ApiTime.Iso(e.Modified));
}
