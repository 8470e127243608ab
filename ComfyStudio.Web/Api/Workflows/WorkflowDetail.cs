using System.Text.Json.Nodes;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>
/// <c>GET /api/workflows/{id}</c>: <c>{id, workflow}</c> (the API format, converted when it was saved in the UI format;
/// <c>?format=ui</c> gives the UI format as saved), then the entry's fields and the errors found against ComfyUI's
/// node list (<c>valid</c> is false when there are any;
/// <c>readiness</c>: the model files it loads and whether each is on disk; <c>workflow</c> is null when the conversion itself failed).
/// </summary>
public sealed record WorkflowDetail(string Id, JsonObject? Workflow, string Format, WorkflowResource Entry, bool Valid, IReadOnlyList<WorkflowErrorResource> Errors,
    WorkflowReadinessResource Readiness);
