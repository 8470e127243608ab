using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>
/// <c>POST /api/workflows/{id}/install-models</c>: the preset installs started (each with its download), the download
/// of the files only the workflow's own URLs provide, the files nothing provides, and the node classes ComfyUI lacks.
/// </summary>
public sealed record WorkflowInstallResult(IReadOnlyList<WorkflowInstallResult.PresetStarted> Presets, string? DownloadId,
    IReadOnlyList<string> Unavailable, IReadOnlyList<string> MissingNodes)
{
    public sealed record PresetStarted(string PresetId, string? DownloadId, bool InstalledAtOnce);

    public static WorkflowInstallResult From(WorkflowInstall i) =>
        new([.. i.Presets.Select(p => new PresetStarted(p.PresetId, p.DownloadId, p.InstalledAtOnce))], i.DownloadId, i.Unavailable, i.MissingNodes);
}
