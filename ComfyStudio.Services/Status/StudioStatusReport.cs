using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Telemetry;
using ComfyStudio.Services.Versions;

namespace ComfyStudio.Services.Status;

/// <summary>Everything the System API's dashboard status shows, read live.</summary>
public sealed record StudioStatusReport(
    VersionManifest Local,
    int RuntimeVersion,
    CatalogCounts Catalogs,
    bool FrontendDeployed,
    ComfyUiProbe ComfyUi,
    int NodePackages,
    DiskReading Disk,
    IReadOnlyDictionary<string, long> Tables,
    bool TelegramConfigured,
    string? TelegramName,
    string? RepoUrl,
    bool DevMode);
