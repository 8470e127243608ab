using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// Which components the System page updates (its toggles), saved in <c>settings</c> as <c>update_components</c>.
/// Unchecked components are sent as the update's skip list.
/// </summary>
public sealed class UpdatePreferences(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock)
{
    public const string Setting = "update_components";

    public async Task<IReadOnlySet<string>> SelectedAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == Setting, ct);
        if (row?.Value is null) return ReleaseComponents.DefaultSelection.ToHashSet(StringComparer.Ordinal);
        return row.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(ReleaseComponents.Names.Contains).ToHashSet(StringComparer.Ordinal);
    }

    public async Task SaveAsync(IEnumerable<string> selected, CancellationToken ct = default)
    {
        var valid = ReleaseComponents.ValidateSkipList(selected); // the same names a skip list may hold
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.FindAsync([Setting], ct);
        if (row is null) db.Settings.Add(row = new SettingRecord { Key = Setting });
        row.Value = string.Join(',', ReleaseComponents.Names.Where(valid.Contains));
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The skip list the selection means.</summary>
    public static string[] SkipListFor(IReadOnlySet<string> selected) =>
        ReleaseComponents.Names.Where(n => !selected.Contains(n)).ToArray();
}
