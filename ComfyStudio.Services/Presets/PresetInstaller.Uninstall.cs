using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Presets;

/// <summary>Uninstalling a preset without breaking another: files another installed or installing preset uses stay.</summary>
public sealed partial class PresetInstaller
{
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
        await engine.ForgetFilesAsync(paths, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RecordsAsync(async () =>
        {
            db.PresetInstalls.RemoveRange(await db.PresetInstalls.Where(p => presetIds.Contains(p.PresetId)).ToListAsync(ct));
            return await db.SaveChangesAsync(ct);
        }, ct);
    }
}
