using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Presets;

/// <summary>Installing a preset: what is missing goes to the download engine, after the space check; the install record.</summary>
public sealed partial class PresetInstaller
{
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
}
