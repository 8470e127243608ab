namespace ComfyStudio.Web.Api.Models;

/// <summary>The answer to <c>DELETE /api/models</c>: <c>deleted</c>, <c>space_freed_gb</c>, and each refused path with its reason.</summary>
public sealed record ModelsDeleted(int Deleted, double SpaceFreedGb, long BytesFreed, IReadOnlyList<string> Paths, IReadOnlyList<ModelValidation.Failure> Errors);
