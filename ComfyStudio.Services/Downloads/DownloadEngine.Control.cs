using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Downloads;

/// <summary>The engine's pause, resume and cancel, and the resume of unfinished downloads after a restart.</summary>
public sealed partial class DownloadEngine
{

    public async Task<string> PauseAsync(string id, CancellationToken ct = default)
    {
        var record = await FindAsync(id, ct);
        switch (record.Status)
        {
            case DownloadStates.Paused:
                return DownloadStates.Paused;
            case DownloadStates.Completed or DownloadStates.Failed or DownloadStates.Cancelled:
                throw StudioException.Conflict($"Download {id} is {record.Status}; only a queued or running download can be paused");
        }
        await SetStatusAsync(id, DownloadStates.Paused, null, ct);
        await StopRunAsync(id);
        bus.Publish(new DownloadStateChanged(id, record.Name, DownloadStates.Paused));
        return DownloadStates.Paused;
    }

    public async Task<string> ResumeAsync(string id, CancellationToken ct = default)
    {
        var record = await FindAsync(id, ct);
        switch (record.Status)
        {
            case DownloadStates.Queued or DownloadStates.Downloading:
                return DownloadStates.Downloading;
            case DownloadStates.Completed or DownloadStates.Cancelled:
                throw StudioException.Conflict($"Download {id} is {record.Status}; it cannot be resumed");
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var row = await db.Downloads.Include(d => d.Items).ThenInclude(i => i.File).FirstAsync(d => d.Id == id, ct);
            row.Status = DownloadStates.Queued;
            row.Error = null;
            row.FinishedAt = null;
            foreach (var f in row.Items.Select(i => i.File).Where(f => f.Status == DownloadFileStates.Failed))
            {
                f.Status = DownloadFileStates.Pending;
                f.Error = null;
                f.ErrorCode = null;
            }
            await db.SaveChangesAsync(ct);
        }
        Enqueue(id);
        bus.Publish(new DownloadStateChanged(id, record.Name, "resumed"));
        return DownloadStates.Downloading;
    }

    /// <summary>
    /// Removes finished downloads (completed, failed, cancelled) from the list; their files stay where they are, and
    /// what the engine knows of each file (verified, how far a part got) stays too. Answers how many went.
    /// </summary>
    public async Task<int> ClearFinishedAsync(CancellationToken ct = default)
    {
        string[] finished = [DownloadStates.Completed, DownloadStates.Failed, DownloadStates.Cancelled];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Downloads.Where(d => finished.Contains(d.Status)).ToListAsync(ct);
        rows.RemoveAll(d => _running.ContainsKey(d.Id));
        db.Downloads.RemoveRange(rows);
        await db.SaveChangesAsync(ct);
        if (rows.Count > 0) logger.LogInformation("Cleared {Count} finished download(s) from the list", rows.Count);
        return rows.Count;
    }

    /// <summary>
    /// Cancels a download and removes its partial files, unless another active download still wants them (then the
    /// answer is false: not every file was removed). Completed files stay; a completed download cannot be cancelled.
    /// </summary>
    public async Task<bool> CancelAsync(string id, CancellationToken ct = default)
    {
        var record = await FindAsync(id, ct);
        if (record.Status == DownloadStates.Cancelled) return true;
        if (record.Status == DownloadStates.Completed)
            throw StudioException.Conflict($"Download {id} is completed; there is nothing to cancel (its files stay installed)");
        // The partial files that go with it, resolved now and before anything changes: a folder that has become a link
        // out of the models folder refuses the cancel (409), and nothing there is deleted.
        List<(int Id, string Path)> removing;
        int kept;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var fileIds = await db.DownloadItems.Where(i => i.DownloadId == id).Select(i => i.FileId).ToListAsync(ct);
            var stillWanted = await db.DownloadItems
                .Where(i => fileIds.Contains(i.FileId) && i.DownloadId != id)
                .Join(db.Downloads.Where(d => d.Status == DownloadStates.Queued || d.Status == DownloadStates.Downloading || d.Status == DownloadStates.Paused), i => i.DownloadId, d => d.Id, (i, _) => i.FileId)
                .ToListAsync(ct);
            kept = await db.DownloadFiles.CountAsync(f => stillWanted.Contains(f.Id) && f.Status != DownloadFileStates.Completed, ct);
            removing = (await db.DownloadFiles.Where(f => fileIds.Contains(f.Id) && !stillWanted.Contains(f.Id) && f.Status != DownloadFileStates.Completed)
                .Select(f => new { f.Id, f.Path }).ToListAsync(ct)).Select(f => (f.Id, f.Path)).ToList();
        }
        foreach (var (_, path) in removing) folder.Resolve(path, ".part");
        await SetStatusAsync(id, DownloadStates.Cancelled, null, ct);
        await StopRunAsync(id);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var ids = removing.Select(r => r.Id).ToList();
            foreach (var file in await db.DownloadFiles.Where(f => ids.Contains(f.Id) && f.Status != DownloadFileStates.Completed).ToListAsync(ct))
            {
                try
                {
                    folder.Delete(file.Path, ".part");
                }
                catch (UnsafePathException e)
                {
                    // Swapped for a link in the moment since the check: left alone, and said.
                    logger.LogWarning("Cancel of {Id}: {Reason}", id, e.Message);
                    kept++;
                    continue;
                }
                file.Status = DownloadFileStates.Pending;
                file.DoneRanges = null;
                file.DownloadedBytes = 0;
                file.Validator = null;
            }
            await db.SaveChangesAsync(ct);
        }
        bus.Publish(new DownloadStateChanged(id, record.Name, DownloadStates.Cancelled, record.PresetId));
        return kept == 0;
    }

    private async Task StopRunAsync(string id)
    {
        if (!_running.TryGetValue(id, out var run)) return;
        await run.Stop.CancelAsync();
        // In-flight writes finish and the written ranges are recorded; that takes a moment, not a download.
        await run.Done.Task.WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task<DownloadRecord> FindAsync(string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Downloads.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct)
               ?? throw StudioException.NotFound($"Download '{(id.Length > 40 ? id[..40] + "…" : id)}' not found");
    }

    private async Task SetStatusAsync(string id, string status, string? error, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Downloads.FindAsync([id], ct);
        if (row is null) return;
        // A user's pause or cancel is not overwritten by the run that it stopped.
        if (status is DownloadStates.Completed or DownloadStates.Failed && row.Status is DownloadStates.Paused or DownloadStates.Cancelled) return;
        row.Status = status;
        row.Error = error;
        if (status is DownloadStates.Completed or DownloadStates.Failed or DownloadStates.Cancelled) row.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>At start: every download that was queued or running when the process stopped runs again.</summary>
    private async Task ResumeUnfinishedAsync(CancellationToken ct)
    {
        List<string> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var rows = await db.Downloads.Where(d => d.Status == DownloadStates.Queued || d.Status == DownloadStates.Downloading).ToListAsync(ct);
            foreach (var r in rows) r.Status = DownloadStates.Queued;
            foreach (var f in await db.DownloadFiles.Where(f => f.Status == DownloadFileStates.Downloading || f.Status == DownloadFileStates.Verifying).ToListAsync(ct))
                f.Status = DownloadFileStates.Pending;
            await db.SaveChangesAsync(ct);
            ids = rows.Select(r => r.Id).ToList();
        }
        foreach (var id in ids) Enqueue(id);
        if (ids.Count > 0) logger.LogInformation("Resuming {Count} unfinished download(s)", ids.Count);
    }
}
