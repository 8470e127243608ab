namespace ComfyStudio.Web.Api.Models;

/// <summary><c>GET /api/models/validate</c>: how many files were checked, and each that failed with the reason.</summary>
public sealed record ModelValidation(int Validated, IReadOnlyList<ModelValidation.Failure> Errors)
{
    public sealed record Failure(string Path, string Error);
}
