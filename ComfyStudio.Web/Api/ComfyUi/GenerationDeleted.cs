namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>The answer to deleting a generation: how many of its images left ComfyUI's output folder.</summary>
public sealed record GenerationDeleted(string Status, string PromptId, int FilesRemoved);
