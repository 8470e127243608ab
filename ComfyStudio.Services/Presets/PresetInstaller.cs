using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Installs presets through the download engine and uninstalls them without breaking the others: a file another
/// installed (or installing) preset uses is never deleted. Installs and uninstalls run one at a time.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; disposing its gates at shutdown would race the jobs still stopping, and a SemaphoreSlim without a wait handle holds nothing to release")]
public sealed partial class PresetInstaller(
    PresetStates states, PresetCatalogStore store, DownloadEngine engine, IDbContextFactory<StudioDbContext> dbFactory,
    DiskSpace diskSpace, ModelFolder folder, SpeedProbe speedProbe, EventBus bus,
    TimeProvider clock, ILogger<PresetInstaller> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    // The install rows are written by the request and by the completion handler, which can come first (a file already in
    // place verifies in milliseconds): one writer at a time, or both insert the row.
    private readonly SemaphoreSlim _records = new(1, 1);

    /// <summary>The Dashboard API's priorities: low, normal (the default) or high.</summary>
    public static int PriorityOf(string? priority) => priority?.Trim().ToLowerInvariant() switch
    {
        null or "" or "normal" => 0,
        "low" => -1,
        "high" => 1,
        _ => throw StudioException.Validation("'priority' must be low, normal or high"),
    };

    /// <summary>Runs a change to the install rows while no other one runs.</summary>
    private async Task<T> RecordsAsync<T>(Func<Task<T>> change, CancellationToken ct)
    {
        await _records.WaitAsync(ct);
        try
        {
            return await change();
        }
        finally
        {
            _records.Release();
        }
    }
}
