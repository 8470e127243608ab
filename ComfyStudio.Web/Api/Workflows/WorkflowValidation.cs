namespace ComfyStudio.Web.Api.Workflows;

/// <summary><c>POST /api/workflows/{id}/validate</c>: whether ComfyUI would take it, and every error on its node and input.</summary>
public sealed record WorkflowValidation(bool Valid, bool NodeListLive, IReadOnlyList<WorkflowErrorResource> Errors);
