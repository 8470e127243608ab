using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Downloads;

/// <summary>The engine's read views (with live progress) and the progress ticker.</summary>
public sealed partial class DownloadEngine
{

    public async Task<DownloadView?> GetAsync(string id, CancellationToken ct = default) =>
        await ListAsync(id, 1, ct: ct) is [var view, ..] ? view : null;

    /// <summary>Downloads newest first (active ones first), with live progress.</summary>
    public async Task<IReadOnlyList<DownloadView>> ListAsync(string? id = null, int limit = 200, string? presetId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = WithFiles(db);
        if (id is not null) query = query.Where(d => d.Id == id);
        if (presetId is not null) query = query.Where(d => d.PresetId == presetId);
        // Active first before the limit applies: a running download older than the newest page still shows.
        var active = DownloadView.ActiveStates.ToList();
        var rows = await query.OrderBy(d => active.Contains(d.Status) ? 0 : 1).ThenByDescending(d => d.CreatedAt)
            .Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
        return rows.Select(View).ToList();
    }

    private static IQueryable<DownloadRecord> WithFiles(StudioDbContext db) =>
        db.Downloads.AsNoTracking().Include(d => d.Items).ThenInclude(i => i.File);

    /// <summary>How many downloads there are, and how many of them are active (queued or downloading).</summary>
    public async Task<(int Active, int Total)> CountAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = DownloadView.ActiveStates.ToList();
        return (await db.Downloads.CountAsync(d => active.Contains(d.Status), ct), await db.Downloads.CountAsync(ct));
    }

    /// <summary>
    /// The speed recent downloads reached: bytes of the files they fetched over the time they ran (the last five
    /// completed ones), or null before any has. What an estimate of a new download's time rests on.
    /// </summary>
    public async Task<double?> RecentBytesPerSecondAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recent = await db.Downloads.AsNoTracking().Include(d => d.Items).ThenInclude(i => i.File)
            .Where(d => d.Status == DownloadStates.Completed && d.StartedAt != null && d.FinishedAt != null)
            .OrderByDescending(d => d.FinishedAt).Take(5).ToListAsync(ct);
        double bytes = 0, seconds = 0;
        foreach (var d in recent)
        {
            // Only files that arrived during this download were fetched by it (others were in place already).
            bytes += d.Items.Select(i => i.File).Where(f => f.CompletedAt >= d.StartedAt && f.CompletedAt <= d.FinishedAt).Sum(f => f.TotalBytes ?? 0);
            seconds += (d.FinishedAt!.Value - d.StartedAt!.Value).TotalSeconds;
        }
        return bytes >= 1_000_000 && seconds > 0 ? bytes / seconds : null;
    }

    private DownloadView View(DownloadRecord d)
    {
        _running.TryGetValue(d.Id, out var run);
        var files = d.Items.OrderBy(i => i.Position).Select(i =>
        {
            var f = i.File;
            FileProgress? live = null;
            run?.Files.TryGetValue(f.Id, out live);
            var total = live?.Total ?? f.TotalBytes ?? f.ExpectedSize;
            var done = live?.Done ?? (f.Status == DownloadFileStates.Completed ? total ?? f.DownloadedBytes : f.DownloadedBytes);
            var state = live?.State ?? f.Status;
            if (state == DownloadFileStates.Waiting) state = DownloadFileStates.Pending;
            // Rows completed before the kind was recorded: a given hash was checked, else only the size.
            var verified = state != DownloadFileStates.Completed ? null : f.Verification ?? (f.ExpectedSha256 is not null ? Verification.Sha256 : Verification.Size);
            return new DownloadFileView(f.Path, UrlMask.Mask(f.Url), state, done, total, total is > 0 ? Math.Round(100d * done / total.Value, 1) : state == DownloadFileStates.Completed ? 100 : 0,
                f.Error, f.ErrorCode, f.Sha256, verified);
        }).ToList();
        var totalBytes = files.Sum(f => f.TotalBytes ?? 0);
        var doneBytes = files.Sum(f => Math.Min(f.DownloadedBytes, f.TotalBytes ?? long.MaxValue));
        var status = d.Status;
        if (run is not null && status == DownloadStates.Downloading && !files.Any(f => f.Status is DownloadFileStates.Downloading or DownloadFileStates.Verifying)) status = DownloadStates.Queued;
        var speed = run?.Speed ?? 0;
        // A transfer waiting to try again says so; its time left is unknown until bytes move.
        var retrying = run?.Files.Values.Select(p => p.Retrying).FirstOrDefault(r => r is not null);
        var eta = retrying is null && status == DownloadStates.Downloading ? DownloadView.EstimateSeconds(totalBytes - doneBytes, speed) : null;
        var current = files.FirstOrDefault(f => f.Status is DownloadFileStates.Downloading or DownloadFileStates.Verifying)?.Path;
        // A completed download stays 100 % (its files may have been uninstalled since: that is the preset's state, not this download's).
        if (status == DownloadStates.Completed) doneBytes = totalBytes;
        var progress = status == DownloadStates.Completed ? 100 : totalBytes > 0 ? Math.Round(100d * doneBytes / totalBytes, 1) : 0;
        return new DownloadView(d.Id, d.PresetId, d.Name, status, progress, speed, eta, current, doneBytes, totalBytes,
            files.Count, files.Count(f => f.Status == DownloadFileStates.Completed), d.Error, d.CreatedAt, d.StartedAt, d.FinishedAt, files,
            status == DownloadStates.Downloading ? retrying : null);
    }

    /// <summary>Pushes the progress of running downloads a few times a second.</summary>
    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.ProgressInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_running.IsEmpty) continue;
                var now = clock.GetUtcNow();
                foreach (var run in _running.Values) run.Sample(now);
                try
                {
                    // The running downloads only, however many others the history holds.
                    var running = _running.Keys.ToList();
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    foreach (var row in await WithFiles(db).Where(d => running.Contains(d.Id)).ToListAsync(ct))
                        bus.Publish(new DownloadProgressed(View(row)));
                }
                catch (Exception e) when (e is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
                {
                    logger.LogDebug("Progress tick skipped: {Reason}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
