namespace ComfyStudio.Web.Api.Workflows;

/// <summary><c>DELETE /api/workflows/{id}</c>: <c>{status: "deleted", workflow_id}</c>.</summary>
public sealed record WorkflowDeleteResult(string Status, string WorkflowId);
