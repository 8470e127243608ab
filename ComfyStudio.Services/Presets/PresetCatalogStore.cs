using System.Text.Json;
using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// The preset catalog in use: the last synced copy in <c>STUDIO_DIR/registry</c> when it reads whole, else the
/// snapshot shipped with the app. Replaced only by a sync that read the whole registry.
/// </summary>
public sealed class PresetCatalogStore(IOptions<StudioOptions> options, TimeProvider clock, ILogger<PresetCatalogStore> logger) : IHostedService
{
    private CatalogState? _state;

    public string SyncedDir => Path.Combine(options.Value.StudioDir!, "registry");
    public static string BuiltInDir => Path.Combine(AppContext.BaseDirectory, "registry");
    private string SyncFile => Path.Combine(options.Value.StudioDir!, "registry-sync.json");

    public CatalogState State => _state ?? throw new InvalidOperationException("The preset catalog is not loaded yet");

    public event Action? Changed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var sync = ReadSyncInfo();
        if (Directory.Exists(SyncedDir))
        {
            try
            {
                _state = new CatalogState(await RegistryReader.ReadFolderAsync(SyncedDir, cancellationToken), sync.Source ?? "synced", sync.LastSync, null, null);
                return;
            }
            catch (Exception e) when (e is FormatException or IOException)
            {
                logger.LogWarning("The synced preset registry is unreadable ({Reason}); using the built-in snapshot", e.Message);
            }
        }
        _state = new CatalogState(await RegistryReader.ReadFolderAsync(BuiltInDir, cancellationToken), "built-in snapshot", null, null, null);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Takes a catalog that a sync read whole (its files already written to <see cref="SyncedDir"/>).</summary>
    public void Replace(PresetCatalog catalog, string source)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        _state = new CatalogState(catalog, source, now, null, null);
        WriteSyncInfo(new SyncInfo(source, now));
        Changed?.Invoke();
    }

    /// <summary>Records a failed sync; the catalog in use stays.</summary>
    public void RecordFailure(string reason)
    {
        _state = State with { LastError = reason, LastErrorAt = clock.GetUtcNow().UtcDateTime };
        Changed?.Invoke();
    }

    private sealed record SyncInfo(string? Source, DateTime? LastSync);

    private SyncInfo ReadSyncInfo()
    {
        try { return File.Exists(SyncFile) ? JsonSerializer.Deserialize<SyncInfo>(File.ReadAllText(SyncFile)) ?? new(null, null) : new(null, null); }
        catch (Exception e) when (e is JsonException or IOException) { return new(null, null); }
    }

    private void WriteSyncInfo(SyncInfo info)
    {
        try { File.WriteAllText(SyncFile, JsonSerializer.Serialize(info)); }
        catch (IOException e) { logger.LogWarning("Could not record the sync: {Reason}", e.Message); }
    }
}
