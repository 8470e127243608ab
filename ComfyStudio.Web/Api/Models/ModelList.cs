namespace ComfyStudio.Web.Api.Models;

/// <summary><c>GET /api/models</c>: one page of the model files, how many match, and their total size.</summary>
public sealed record ModelList(IReadOnlyList<ModelResource> Models, int Total, double TotalSizeGb, int Page, int PerPage, bool HasNext, bool HasPrev);
