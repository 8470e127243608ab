namespace ComfyStudio.Web.Api.Workflows;

/// <summary><c>GET /api/workflows</c>: one page of the library, how many match, and the paging fields.</summary>
public sealed record WorkflowList(IReadOnlyList<WorkflowResource> Workflows, int Total, int Page, int PerPage, bool HasNext, bool HasPrev);
