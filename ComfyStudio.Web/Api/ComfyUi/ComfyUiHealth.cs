namespace ComfyStudio.Web.Api.ComfyUi;

/// <summary>
/// <c>GET /api/comfyui/health</c>: <c>healthy</c> with ComfyUI's version and queue; <c>connected</c> says whether the
/// studio's own socket to ComfyUI (its live progress) is open.
/// </summary>
public sealed record ComfyUiHealth(string Status, string? Version, ComfyUiHealth.QueueCounts Queue, bool Connected)
{
    public sealed record QueueCounts(int Pending, int Running);
}
