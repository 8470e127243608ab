using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Works out which presets are installed: a file counts when the download engine verified it (its record is
/// completed, the file on disk has that exact size, and the SHA-256 matches when the registry gives one) — never
/// because a path exists. Files placed by hand show as unverified until an install checks them.
/// </summary>
public sealed class PresetStates(
    PresetCatalogStore store, IDbContextFactory<StudioDbContext> dbFactory, DownloadEngine engine, ModelFolder folder)
{
    private string ModelsDir => folder.Root;

    /// <summary>The preset by either id style (<c>flux-schnell-basic</c>, <c>FLUX_SCHNELL_BASIC</c>), or PRESET_NOT_FOUND.</summary>
    public PresetDefinition Find(string id)
    {
        var shown = id.Length > 100 ? id[..100] + "…" : id;
        if (string.IsNullOrWhiteSpace(id) || !PresetIds.IsValid(id) || !store.State.Catalog.Presets.TryGetValue(PresetIds.Normalize(id), out var preset))
            throw new StudioException(ErrorCodes.PresetNotFound, $"Preset '{shown}' not found");
        return preset;
    }

    public async Task<PresetStatus> ReadAsync(PresetDefinition preset, CancellationToken ct = default) =>
        (await ReadAsync([preset], ct: ct))[preset.Id];

    /// <summary>
    /// The state of every preset of the catalog in use (one database read, one look at each file). Without
    /// <paramref name="withDownloads"/> the downloads are not read: installed or not is known, live progress is not.
    /// </summary>
    public Task<IReadOnlyDictionary<string, PresetStatus>> ReadAllAsync(bool withDownloads = true, CancellationToken ct = default) =>
        ReadAsync(store.State.Catalog.Presets.Values.ToList(), withDownloads, ct);

    public async Task<IReadOnlyDictionary<string, PresetStatus>> ReadAsync(IReadOnlyCollection<PresetDefinition> presets, bool withDownloads = true, CancellationToken ct = default)
    {
        var paths = presets.SelectMany(p => p.Files).Select(f => ModelPaths.Normalize(f.Path, ModelsDir)).OfType<string>().Distinct().ToList();
        var rows = await engine.FilesAsync(paths, ct);
        Dictionary<string, PresetInstallRecord> installs;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var ids = presets.Select(p => p.Id).ToList();
            installs = await db.PresetInstalls.AsNoTracking().Where(i => ids.Contains(i.PresetId)).ToDictionaryAsync(i => i.PresetId, StringComparer.Ordinal, ct);
        }
        var downloads = withDownloads ? await LatestDownloadsAsync(presets.Count == 1 ? presets.First().Id : null, ct) : [];
        var disk = new Dictionary<string, long?>(StringComparer.Ordinal);
        long? OnDisk(string path)
        {
            if (disk.TryGetValue(path, out var known)) return known;
            // A file whose folder now leads out of the models folder is not there for the studio.
            var info = folder.TryResolve(path) is { } full ? new FileInfo(full) : null;
            return disk[path] = info is { Exists: true } ? info.Length : null;
        }

        var result = new Dictionary<string, PresetStatus>(StringComparer.Ordinal);
        foreach (var preset in presets)
        {
            downloads.TryGetValue(preset.Id, out var download);
            var files = preset.Files.Select(f =>
            {
                var path = ModelPaths.Normalize(f.Path, ModelsDir);
                if (path is null) return new PresetFileStatus(f, null, FileStates.Missing, null, 0, "the path leads out of the models folder", ErrorCodes.ValidationError);
                rows.TryGetValue(path, out var row);
                var size = OnDisk(path);
                // Only a download still under way says a file is coming; a finished one says nothing of files removed since.
                var live = download is { IsActive: true } or { Status: DownloadStates.Paused } ? download.Files.FirstOrDefault(v => v.Path == path) : null;
                return new PresetFileStatus(f, path, StateOf(f, row, size, live), size, live?.DownloadedBytes ?? row?.DownloadedBytes ?? 0,
                    row is { Failed: true } ? row.Error : null, row is { Failed: true } ? row.ErrorCode : null);
            }).ToList();
            installs.TryGetValue(preset.Id, out var install);
            var status = new PresetStatus(preset, files, null, install?.Version, download, install?.InstalledAt is not null);
            var installedAt = status.Installed ? install!.InstalledAt : null;
            result[preset.Id] = status with { InstalledAt = installedAt };
        }
        return result;
    }

    /// <summary>What uninstalling <paramref name="id"/> would delete: its files on disk that no other installed or installing preset uses.</summary>
    public static IReadOnlyList<PresetFileStatus> WouldRemove(IReadOnlyDictionary<string, PresetStatus> all, string id)
    {
        var keep = PathsInUse(all, [id]);
        return all.TryGetValue(id, out var status)
            ? status.Files.Where(f => f.Path is not null && f.SizeOnDisk is not null && !keep.Contains(f.Path)).DistinctBy(f => f.Path).ToList()
            : [];
    }

    /// <summary>Paths of the presets outside <paramref name="except"/> that are installed, installing or paused: an uninstall keeps them.</summary>
    public static HashSet<string> PathsInUse(IReadOnlyDictionary<string, PresetStatus> all, IReadOnlyCollection<string> except) =>
        all.Values.Where(s => !except.Contains(s.Preset.Id) && (s.Installed || s.Download is { IsActive: true } || s.Download?.Status == DownloadStates.Paused))
            .SelectMany(s => s.Files).Select(f => f.Path).OfType<string>().ToHashSet(StringComparer.Ordinal);

    private static string StateOf(PresetFile file, DownloadedFile? row, long? sizeOnDisk, DownloadFileView? live)
    {
        var verified = row is not null && sizeOnDisk is { } size && row.VerifiedAt(size, file.Sha256)
                       && (!file.ExactSize || file.SizeBytes == size);
        if (verified) return FileStates.Installed;
        if (live is { Status: DownloadFileStates.Downloading or DownloadFileStates.Verifying }) return FileStates.Downloading;
        if (live is { Status: DownloadFileStates.Pending } && row is not { Failed: true }) return FileStates.Queued;
        if (sizeOnDisk is not null) return FileStates.Unverified;
        return row is { Failed: true } ? FileStates.Failed : FileStates.Missing;
    }

    /// <summary>Each preset's newest download, an active one before any other.</summary>
    private async Task<Dictionary<string, DownloadView>> LatestDownloadsAsync(string? presetId, CancellationToken ct)
    {
        var views = await engine.ListAsync(limit: presetId is null ? 500 : 20, ct: ct, presetId: presetId);
        var latest = new Dictionary<string, DownloadView>(StringComparer.Ordinal);
        foreach (var v in views) // active first, then newest first
            if (v.PresetId is { } id) latest.TryAdd(PresetIds.Normalize(id), v);
        return latest;
    }
}
