namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary><c>POST /api/comfyui/interrupt</c>: <c>{status: "interrupted"}</c>.</summary>
public sealed record Interrupted(string Status);
