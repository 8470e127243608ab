namespace ComfyStudio.Web.Api.Workflows;

/// <summary><c>POST</c>/<c>PUT /api/workflows</c>: <c>{id, status: "saved", path}</c>.</summary>
public sealed record WorkflowSaveResult(string Id, string Status, string Path);
