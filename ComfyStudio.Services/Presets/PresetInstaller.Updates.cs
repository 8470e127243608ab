using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Presets;

/// <summary>Preset updates: installed presets whose registry version is newer.</summary>
public sealed partial class PresetInstaller
{
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
