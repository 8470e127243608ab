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

/// <summary>An install that was started (or was already under way).</summary>
/// <param name="BytesToFetch">Roughly what has to come over the network (the registry's sizes are approximate).</param>
/// <param name="EstimatedSeconds">From the speed recent downloads reached; null before any has.</param>
/// <param name="DownloadId">The download that fetches it; null when every file was present and verified already (installed at once).</param>
public sealed record PresetInstallStarted(string PresetId, string? DownloadId, long BytesToFetch, long? EstimatedSeconds, bool AlreadyUnderWay)
{
    public bool InstalledAtOnce => DownloadId is null;
}

/// <summary>What an uninstall removed, and the shared files it left for presets that still use them.</summary>
public sealed record PresetUninstalled(string PresetId, IReadOnlyList<string> RemovedPresets, int FilesRemoved, long BytesFreed, IReadOnlyList<string> FilesKept)
    : StudioEvent
{
    public override string Type => "preset.uninstalled";
    public override string Message => $"Preset '{PresetId}' uninstalled: {FilesRemoved} file(s) removed, {ByteSize.Format(BytesFreed)} freed"
                                      + (FilesKept.Count > 0 ? $", {FilesKept.Count} shared file(s) kept" : "");
    public override JsonObject? Data => new()
    {
        ["preset_id"] = PresetId, ["files_removed"] = FilesRemoved, ["bytes_freed"] = BytesFreed,
        ["removed_presets"] = new JsonArray([.. RemovedPresets.Select(p => (JsonNode)p)]),
    };
}

public sealed record PresetInstalled(string PresetId, string Name, string Version) : StudioEvent
{
    public override string Type => "preset.installed";
    public override EventSeverity Severity => EventSeverity.Success;
    public override string Message => $"Preset '{Name}' installed (version {Version})";
    public override JsonObject? Data => new() { ["preset_id"] = PresetId, ["version"] = Version };
}

/// <summary>A preset whose registry version is newer than the one installed.</summary>
public sealed record PresetUpdate(PresetDefinition Preset, string LocalVersion, bool Installed);

/// <summary>
/// Installs presets through the download engine and uninstalls them without breaking the others: a file another
/// installed (or installing) preset uses is never deleted. Installs and uninstalls run one at a time.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; disposing its gates at shutdown would race the jobs still stopping, and a SemaphoreSlim without a wait handle holds nothing to release")]
public sealed class PresetInstaller(
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

    /// <summary>
    /// Starts fetching what the preset lacks (with <paramref name="force"/>: every file is checked again and any that
    /// no known SHA-256 proves right is fetched anew). An install already under way is answered as it is (a paused one
    /// resumes). PRESET_ALREADY_INSTALLED when it is installed and not forced; INSUFFICIENT_STORAGE before anything
    /// starts when the disk cannot hold what is missing.
    /// </summary>
    public async Task<PresetInstallStarted> InstallAsync(string id, bool force = false, string? priority = null, CancellationToken ct = default)
    {
        var preset = states.Find(id);
        var rank = PriorityOf(priority);
        await _gate.WaitAsync(ct);
        try
        {
            var status = await states.ReadAsync(preset, ct);
            if (status.Download is { } running && (running.IsActive || running.Status == DownloadStates.Paused))
            {
                if (running.Status == DownloadStates.Paused) await engine.ResumeAsync(running.Id, ct);
                return new PresetInstallStarted(preset.Id, running.Id, status.MissingBytes, running.EtaSeconds ?? await EstimateAsync(status.MissingBytes, null, ct), true);
            }
            if (status.Installed && !force)
                throw new StudioException(ErrorCodes.PresetAlreadyInstalled,
                    $"Preset '{preset.Id}' is already installed; install with force to check every file again",
                    new Dictionary<string, object?> { ["preset_id"] = preset.Id, ["install_date"] = Formatting.ApiTime.Iso(status.InstalledAt) });
            if (status.Files.FirstOrDefault(f => !f.File.Optional && f.Path is null) is { } unusable)
                throw StudioException.Validation($"Preset '{preset.Id}' cannot be installed: {unusable.File.Path} leads out of the models folder");

            var files = status.Files.Where(f => !f.File.Optional && (force || !f.IsInstalled)).ToList();
            var toFetch = DiskSpace.Sum(files.Select(f => f.IsInstalled || f.State == FileStates.Unverified
                ? force && f.File.Sha256 is null ? f.File.SizeBytes ?? 0 : 0      // a forced file without a hash is fetched again
                : Math.Max(0, (f.File.SizeBytes ?? 0) - f.DownloadedBytes)));
            EnsureSpace(preset, toFetch);

            if (files.Count == 0)
            {
                // Every file is present and verified (another preset brought them): installed at once, nothing to fetch.
                await RecordRequestAsync(preset, ct);
                await RecordCompletionAsync(preset.Id, ct);
                logger.LogInformation("Installed preset {Preset}: every file was present and verified", preset.Id);
                return new PresetInstallStarted(preset.Id, null, 0, 0, false);
            }

            var request = new DownloadRequest(preset.Name,
                files.Select(f => new DownloadFileRequest(f.File.Url, f.Path!, f.File.ExactSize ? f.File.SizeBytes : null, f.File.Sha256)).ToList(),
                preset.Id, rank);
            // Recorded before the download exists: its completion sets the version asked for now, not a previous one.
            var previous = await RecordRequestAsync(preset, ct);
            DownloadView view;
            try
            {
                view = await engine.CreateAsync(request, refetch: force, ct: ct);
            }
            catch
            {
                await RestoreRequestAsync(preset.Id, previous);
                throw;
            }
            await WithRecordAsync(preset, row => row.DownloadId = view.Id, ct);
            logger.LogInformation("Installing preset {Preset} ({Files} file(s), about {Bytes:N0} bytes to fetch) as download {Download}",
                preset.Id, files.Count, toFetch, view.Id);
            var largest = files.Where(f => !f.IsInstalled).MaxBy(f => f.File.SizeBytes ?? 0)?.File.Url;
            return new PresetInstallStarted(preset.Id, view.Id, toFetch, await EstimateAsync(toFetch, largest, ct), false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void EnsureSpace(PresetDefinition preset, long needed) =>
        diskSpace.EnsureRoom(needed, $"preset '{preset.Id}'", free => new Dictionary<string, object?>
        {
            ["preset_id"] = preset.Id, ["required_gb"] = ByteSize.Gb(needed + diskSpace.MarginBytes, 3), ["free_gb"] = ByteSize.Gb(free, 3),
        });

    /// <summary>
    /// The time to fetch <paramref name="bytes"/>: at the speed recent downloads reached, else at the speed a probe of
    /// the largest file to fetch measures now; null only when neither could be had.
    /// </summary>
    private async Task<long?> EstimateAsync(long bytes, string? probeUrl, CancellationToken ct)
    {
        if (bytes <= 0) return 0;
        var speed = await engine.RecentBytesPerSecondAsync(ct);
        if (speed is null && probeUrl is not null) speed = await speedProbe.BytesPerSecondAsync(probeUrl, ct);
        return speed is { } s && s > 0 ? (long)Math.Ceiling(bytes / s) : null;
    }

    /// <summary>Records the version asked for; answers the row as it was before (null when there was none).</summary>
    private async Task<PresetInstallRecord?> RecordRequestAsync(PresetDefinition preset, CancellationToken ct)
    {
        PresetInstallRecord? previous = null;
        await WithRecordAsync(preset, row =>
        {
            previous = row.RequestedAt == default ? null : new PresetInstallRecord
            {
                PresetId = row.PresetId, Version = row.Version, RequestedVersion = row.RequestedVersion,
                DownloadId = row.DownloadId, RequestedAt = row.RequestedAt, InstalledAt = row.InstalledAt,
            };
            row.RequestedVersion = preset.Version;
            row.RequestedAt = clock.GetUtcNow().UtcDateTime;
        }, ct);
        return previous;
    }

    /// <summary>A request whose download could not be created leaves the install row as it found it.</summary>
    private Task RestoreRequestAsync(string presetId, PresetInstallRecord? previous) => RecordsAsync(async () =>
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        if (await db.PresetInstalls.FindAsync([presetId], CancellationToken.None) is not { } row) return 0;
        if (previous is null) db.PresetInstalls.Remove(row);
        else db.Entry(row).CurrentValues.SetValues(previous);
        return await db.SaveChangesAsync(CancellationToken.None);
    }, CancellationToken.None);

    /// <summary>Reads (or adds) the preset's install row, changes it and saves it, one writer at a time.</summary>
    private Task<PresetInstallRecord> WithRecordAsync(PresetDefinition preset, Action<PresetInstallRecord> change, CancellationToken ct) => RecordsAsync(async () =>
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.PresetInstalls.FindAsync([preset.Id], ct);
        if (row is null) db.PresetInstalls.Add(row = new PresetInstallRecord { PresetId = preset.Id, RequestedVersion = preset.Version });
        change(row);
        await db.SaveChangesAsync(ct);
        return row;
    }, ct);

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

    /// <summary>After a preset's download completed: when every file verified, the install is recorded at the version asked for.</summary>
    internal async Task RecordCompletionAsync(string presetId, CancellationToken ct)
    {
        if (!store.State.Catalog.Presets.TryGetValue(PresetIds.Normalize(presetId), out var preset)) return;
        var status = await states.ReadAsync(preset, ct);
        if (!status.FilesPresent) return;
        var row = await WithRecordAsync(preset, row =>
        {
            row.Version = row.RequestedVersion;
            row.InstalledAt = clock.GetUtcNow().UtcDateTime;
        }, ct);
        bus.Publish(new PresetInstalled(preset.Id, preset.Name, row.RequestedVersion));
    }

    /// <summary>
    /// Removes a preset's files that no other installed or installing preset (and no other running download) uses;
    /// with <paramref name="removeDependencies"/>, also the presets it depends on that nothing else still needs.
    /// Its own downloads are cancelled first. Answers 400 unless <paramref name="confirm"/> is true.
    /// </summary>
    public async Task<PresetUninstalled> UninstallAsync(string id, bool? confirm, bool removeDependencies = false, CancellationToken ct = default)
    {
        if (confirm != true) throw StudioException.Validation("Uninstalling deletes model files: send {\"confirm\": true} to go ahead");
        var preset = states.Find(id);
        await _gate.WaitAsync(ct);
        try
        {
            var catalog = store.State.Catalog.Presets;
            var all = await states.ReadAllAsync(ct: ct);
            var removing = new HashSet<string>(StringComparer.Ordinal) { preset.Id };
            if (removeDependencies)
                foreach (var dep in preset.Dependencies.Where(catalog.ContainsKey))
                {
                    // A dependency stays when another installed preset (not being removed) needs it too.
                    var neededElsewhere = all.Values.Any(s => s.Preset.Id != preset.Id && s.Preset.Dependencies.Contains(dep) && s.Installed);
                    if (!neededElsewhere) removing.Add(dep);
                }

            foreach (var presetId in removing)
                foreach (var d in await engine.ListAsync(limit: 50, ct: ct, presetId: presetId))
                    if (d.IsActive || d.Status == DownloadStates.Paused)
                    {
                        try { await engine.CancelAsync(d.Id, ct); }
                        catch (StudioException e) when (e.Code == ErrorCodes.Conflict && e is not UnsafePathException) { } // it completed meanwhile: its files are judged below
                    }

            all = await states.ReadAllAsync(ct: ct);
            var keep = PresetStates.PathsInUse(all, removing);
            foreach (var d in await engine.ListAsync(limit: 500, ct: ct))
                if (d.IsActive || d.Status == DownloadStates.Paused) keep.UnionWith(d.Files.Select(f => f.Path));

            var targets = removing.SelectMany(p => all[p].Files).Select(f => f.Path).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var kept = targets.Where(keep.Contains).ToList();
            var removed = new List<string>();
            long freed = 0;
            // Every path resolved as it is now, before anything is deleted: a folder swapped for a link out of the models
            // folder refuses the uninstall (409), it is not followed, and nothing is half-removed.
            var deleting = targets.Where(p => !keep.Contains(p)).ToList();
            foreach (var path in deleting)
            {
                folder.Resolve(path);
                folder.Resolve(path, ".part");
            }
            foreach (var path in deleting)
            {
                if (folder.Delete(path) is { } size)
                {
                    freed += size;
                    removed.Add(path);
                }
                folder.Delete(path, ".part");
            }
            await ForgetAsync(targets.Where(p => !keep.Contains(p)).ToList(), removing, ct);
            var result = new PresetUninstalled(preset.Id, removing.Order(StringComparer.Ordinal).ToList(), removed.Count, freed, kept);
            logger.LogInformation("Uninstalled {Presets}: {Removed} file(s), {Bytes:N0} bytes freed, {Kept} shared file(s) kept",
                string.Join(", ", result.RemovedPresets), removed.Count, freed, kept.Count);
            bus.Publish(result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The removed files are no longer downloaded (a later install fetches them again) and the presets no longer installed.</summary>
    private async Task ForgetAsync(List<string> paths, IReadOnlyCollection<string> presetIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var row in await db.DownloadFiles.Where(f => paths.Contains(f.Path)).ToListAsync(ct))
        {
            row.Status = DownloadFileStates.Pending;
            row.DownloadedBytes = 0;
            row.DoneRanges = null;
            row.Validator = null;
            row.Sha256 = null;
            row.CompletedAt = null;
            row.Refetch = false;
            row.Error = null;
            row.ErrorCode = null;
            row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        await RecordsAsync(async () =>
        {
            db.PresetInstalls.RemoveRange(await db.PresetInstalls.Where(p => presetIds.Contains(p.PresetId)).ToListAsync(ct));
            return await db.SaveChangesAsync(ct);
        }, ct);
    }

    /// <summary>Installed presets (by their install record) whose registry version is newer than the one installed.</summary>
    public async Task<IReadOnlyList<PresetUpdate>> UpdatesAsync(CancellationToken ct = default)
    {
        List<PresetInstallRecord> installs;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            installs = await db.PresetInstalls.AsNoTracking().Where(p => p.Version != null).ToListAsync(ct);
        var catalog = store.State.Catalog.Presets;
        var candidates = installs.Where(i => catalog.TryGetValue(i.PresetId, out var p) && VersionOrder.Compare(p.Version, i.Version!) > 0).ToList();
        if (candidates.Count == 0) return [];
        var now = await states.ReadAsync(candidates.Select(c => catalog[c.PresetId]).ToList(), ct: ct);
        return candidates.Select(c => new PresetUpdate(catalog[c.PresetId], c.Version!, now[c.PresetId].Installed))
            .OrderBy(u => u.Preset.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

}

/// <summary>Orders versions like <c>1.0.0</c>, <c>1.10.0</c>, <c>2.0.0-beta</c>: numeric parts as numbers, others as text.</summary>
public static class VersionOrder
{
    public static int Compare(string a, string b)
    {
        var x = a.Trim().TrimStart('v', 'V').Split('.', '-', '+');
        var y = b.Trim().TrimStart('v', 'V').Split('.', '-', '+');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i] : "0";
            var q = i < y.Length ? y[i] : "0";
            var c = long.TryParse(p, out var m) && long.TryParse(q, out var n) ? m.CompareTo(n) : string.CompareOrdinal(p, q);
            if (c != 0) return c;
        }
        return 0;
    }
}

/// <summary>Records an install when its download completes with every file of the preset verified.</summary>
internal sealed class PresetInstallTracker(EventBus bus, PresetInstaller installer, ILogger<PresetInstallTracker> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.SubscribeDurable<DownloadCompleted>(async e =>
        {
            if (e.PresetId is null) return;
            try
            {
                await installer.RecordCompletionAsync(e.PresetId, CancellationToken.None);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
            {
                logger.LogWarning(ex, "Could not record the install of preset {Preset}", e.PresetId);
            }
        }); // durable: an install record must never be lost to a flood of progress ticks
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
