namespace ComfyStudio.Services.Presets;

/// <summary>Registry settings (section <c>Presets</c>).</summary>
public sealed class PresetOptions
{
    /// <summary>Cron of the daily registry sync (empty: no recurring sync).</summary>
    public string SyncCron { get; set; } = "17 4 * * *";

    /// <summary>With <c>REGISTRY_URL</c> set, sync at start when the catalog in use is not from it yet.</summary>
    public bool SyncAtStart { get; set; } = true;
}
