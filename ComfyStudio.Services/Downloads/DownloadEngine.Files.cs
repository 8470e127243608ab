using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Downloads;

/// <summary>What other features may ask of the engine's files. The engine owns its tables; nobody else reads or resets them.</summary>
public sealed partial class DownloadEngine
{
    /// <summary>The engine's record of each of <paramref name="paths"/> it has one for (paths relative to the models folder).</summary>
    public async Task<IReadOnlyDictionary<string, DownloadedFile>> FilesAsync(IReadOnlyCollection<string> paths, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.DownloadFiles.AsNoTracking().Where(f => paths.Contains(f.Path))
            .Select(f => new DownloadedFile(f.Path, f.Status, f.TotalBytes, f.DownloadedBytes, f.Sha256, f.Error, f.ErrorCode))
            .ToDictionaryAsync(f => f.Path, StringComparer.Ordinal, ct);
    }

    /// <summary>
    /// Forgets that <paramref name="paths"/> were downloaded (their files were removed): the next download that asks
    /// for one fetches it from the start.
    /// </summary>
    public async Task ForgetFilesAsync(IReadOnlyCollection<string> paths, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var row in await db.DownloadFiles.Where(f => paths.Contains(f.Path)).ToListAsync(ct))
            Forget(row, now);
        await db.SaveChangesAsync(ct);
    }

    private static void Forget(DownloadFileRecord row, DateTime now)
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
        row.UpdatedAt = now;
    }
}
