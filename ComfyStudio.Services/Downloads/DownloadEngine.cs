using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Settings;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// The download engine: takes requests, runs each download as a Hangfire job, fetches at most <c>max_concurrent</c>
/// files at once (the setting applies live), fetches a file wanted by several downloads once, pauses, resumes and
/// cancels, and pushes live progress. After a restart every unfinished, unpaused download resumes by itself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; disposing its stop signal at shutdown would race the jobs still stopping, and a cancelled token source holds nothing once cancelled")]
public sealed partial class DownloadEngine(
    IDbContextFactory<StudioDbContext> dbFactory, IOptions<DownloadOptions> options,
    StudioSettings settings, DiskSpace diskSpace, ModelFolder folder, IServiceProvider services, EventBus bus, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<DownloadEngine> logger) : IHostedService
{
    private const int MaxFiles = 1000;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, RunningDownload> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<int, SharedTransfer> _transfers = [];
    private readonly ConcurrencyGate _gate = new(settings.MaxConcurrent);
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _concurrencySubscription;
    private Task? _ticker;

    private string ModelsDir => folder.Root;

    /// <summary>Files being fetched right now (at most the gate's limit).</summary>
    public int ActiveTransfers => _gate.Inside;
    public int ConcurrencyLimit => _gate.Limit;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _concurrencySubscription = bus.SubscribeDurable<MaxConcurrentChanged>(e => { _gate.SetLimit(e.Value); return Task.CompletedTask; });
        _gate.SetLimit(settings.MaxConcurrent);
        _ticker = Task.Run(() => TickAsync(_stopping.Token), CancellationToken.None);
        await ResumeUnfinishedAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _concurrencySubscription?.Dispose();
        if (_ticker is not null) await _ticker.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    // ---- requests -------------------------------------------------------------------------------------------

    /// <summary>
    /// Validates a request (400 for any bad file), records it and starts it as a Hangfire job. With
    /// <paramref name="refetch"/> every file is checked again: one that matches a known SHA-256 is kept, any other is fetched anew.
    /// </summary>
    public async Task<DownloadView> CreateAsync(DownloadRequest request, bool refetch = false, CancellationToken ct = default)
    {
        var files = Validate(request);
        var now = clock.GetUtcNow().UtcDateTime;
        var id = "dl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var paths = files.Select(f => f.Path).ToList();
            var existing = await db.DownloadFiles.Where(f => paths.Contains(f.Path)).ToDictionaryAsync(f => f.Path, ct);
            var record = new DownloadRecord
            {
                Id = id, Name = string.IsNullOrWhiteSpace(request.Name) ? files[0].Path : request.Name.Trim(),
                PresetId = request.PresetId, Priority = request.Priority, CreatedAt = now,
            };
            var position = 0;
            foreach (var f in files)
            {
                if (!existing.TryGetValue(f.Path, out var row))
                {
                    row = new DownloadFileRecord { Path = f.Path, Url = f.Url, UpdatedAt = now };
                    db.DownloadFiles.Add(row);
                }
                else if (row.Url != f.Url || (f.Sha256 is not null && row.Sha256 is not null && row.Sha256 != f.Sha256))
                {
                    // Another source, or a completed file that is not the one asked for now: fetch it again.
                    row.Url = f.Url;
                    if (row.Status == DownloadFileStates.Completed) row.Status = DownloadFileStates.Pending;
                    row.UpdatedAt = now;
                }
                // A completed file deleted or changed by hand since: fetched again (the transfer keeps it when it verifies).
                if (row.Status == DownloadFileStates.Completed && (row.TotalBytes is not { } done || !InPlace(row.Path, done))) row.Status = DownloadFileStates.Pending;
                row.ExpectedSize = f.Size ?? row.ExpectedSize;
                row.ExpectedSha256 = f.Sha256 ?? row.ExpectedSha256;
                if (row.Status == DownloadFileStates.Failed) { row.Status = DownloadFileStates.Pending; row.Error = null; row.ErrorCode = null; }
                if (refetch)
                {
                    row.Refetch = true;
                    if (row.Status == DownloadFileStates.Completed) row.Status = DownloadFileStates.Pending;
                }
                record.Items.Add(new DownloadItemRecord { DownloadId = id, File = row, Position = position++ });
            }
            // Before anything starts: the files of known size must fit (the transfer checks again, with what it learns).
            var needed = DiskSpace.Sum(record.Items.Select(i => i.File).Where(f => f.Status != DownloadFileStates.Completed)
                .Select(f => Math.Max(0, (f.ExpectedSize ?? 0) - f.DownloadedBytes)));
            diskSpace.EnsureRoom(needed, "the download");
            db.Downloads.Add(record);
            await db.SaveChangesAsync(ct);
        }
        Enqueue(id);
        bus.Publish(new DownloadQueued(id, request.Name, files.Count));
        return (await GetAsync(id, ct))!;
    }

    private List<DownloadFileRequest> Validate(DownloadRequest request)
    {
        if (request.Files is not { Count: > 0 }) throw StudioException.Validation("'files' must list at least one file");
        if (request.Files.Count > MaxFiles) throw StudioException.Validation($"'files' may list at most {MaxFiles} files");
        if (request.Name?.Length > 200) throw StudioException.Validation("'name' is longer than 200 characters");
        var result = new List<DownloadFileRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (f, i) in request.Files.Select((f, i) => (f, i)))
        {
            if (f is null) throw StudioException.Validation($"files[{i}] is missing");
            if (!Uri.TryCreate(f.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || f.Url.Length > 4096)
                throw StudioException.Validation($"files[{i}].url must be an http or https URL");
            var (path, problem) = ModelPaths.Check(f.Path, ModelsDir);
            if (path is null) throw StudioException.Validation($"files[{i}].path {problem}");
            if (!seen.Add(path)) throw StudioException.Validation($"files[{i}].path '{path}' is listed twice");
            if (f.Size is <= 0 or > DiskSpace.MaxFileBytes)
                throw StudioException.Validation($"files[{i}].size must be a number of bytes from 1 to {DiskSpace.MaxFileBytes} ({ByteSize.Format(DiskSpace.MaxFileBytes)})");
            var sha = f.Sha256?.Trim().ToLowerInvariant();
            if (sha is not null && !Sha256Pattern().IsMatch(sha)) throw StudioException.Validation($"files[{i}].sha256 must be 64 hexadecimal digits");
            result.Add(new DownloadFileRequest(f.Url, path, f.Size, sha));
        }
        return result;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    private void Enqueue(string id) =>
        services.GetRequiredService<IBackgroundJobClient>().Enqueue<DownloadJob>(j => j.RunAsync(id, CancellationToken.None));

    // ---- running --------------------------------------------------------------------------------------------

    /// <summary>Runs a download to its end (the Hangfire job's body). A second job for a download already running here returns at once.</summary>
    public async Task RunAsync(string id, CancellationToken jobToken)
    {
        var run = new RunningDownload(id, clock.GetUtcNow());
        for (var tries = 0; !_running.TryAdd(id, run); tries++)
        {
            // A run that is stopping (paused, then resumed at once) is waited for; one that is running is left to finish.
            if (!_running.TryGetValue(id, out var current)) continue;
            if (!current.Stop.IsCancellationRequested || tries == 3) { run.Dispose(); return; }
            await current.Done.Task.WaitAsync(TimeSpan.FromSeconds(30), jobToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (jobToken.IsCancellationRequested) { run.Dispose(); return; }
        }
        try
        {
            await RunLockedAsync(run, jobToken);
        }
        catch (Exception e) when (!Stopping && !run.Stop.IsCancellationRequested)
        {
            // Nothing may leave a download "downloading" with nobody running it: an unforeseen error fails it, with the reason.
            logger.LogError(e, "Download {Id} stopped on an unexpected error", id);
            await FailUnexpectedlyAsync(run, e);
        }
        finally
        {
            _running.TryRemove(id, out _);
            run.Done.TrySetResult();
            run.Dispose();
        }
        if (run.Requeue) Enqueue(id);
    }

    private async Task RunLockedAsync(RunningDownload run, CancellationToken jobToken)
    {
        DownloadRecord? record;
        await using (var db = await dbFactory.CreateDbContextAsync(jobToken))
        {
            record = await db.Downloads.Include(d => d.Items).ThenInclude(i => i.File).FirstOrDefaultAsync(d => d.Id == run.Id, jobToken);
            if (record is null || !DownloadView.ActiveStates.Contains(record.Status)) return;
            record.Status = DownloadStates.Downloading;
            record.StartedAt ??= clock.GetUtcNow().UtcDateTime;
            record.Error = null;
            await db.SaveChangesAsync(jobToken);
        }
        run.Name = record.Name;
        run.PresetId = record.PresetId;
        run.Priority = record.Priority;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Stop.Token, jobToken, _stopping.Token);
        var files = record.Items.OrderBy(i => i.Position).Select(i => i.File).ToList();
        foreach (var f in files) run.Files[f.Id] = new FileProgress { Total = f.TotalBytes ?? f.ExpectedSize, State = f.Status == DownloadFileStates.Completed ? DownloadFileStates.Completed : DownloadFileStates.Waiting };
        var outcomes = await Task.WhenAll(files.Select(f => FileOutcomeAsync(f, run, linked.Token)));

        if (run.Stop.IsCancellationRequested) return;            // paused or cancelled: the caller set the state
        if (Stopping) return;                                    // shutting down: resumed at the next start
        if (jobToken.IsCancellationRequested)
        {
            // Hangfire aborted the job while the app runs (deleted or requeued from its dashboard): the download is
            // not lost with it. It goes on in a new job; pausing and cancelling are the Downloads page's to do.
            logger.LogWarning("The job of download {Id} was aborted in Hangfire; the download continues in a new job", run.Id);
            await SetStatusAsync(run.Id, DownloadStates.Queued, null, CancellationToken.None);
            run.Requeue = true; // enqueued once this run has let go of the download, or the new job would find it still running
            return;
        }
        var failure = outcomes.FirstOrDefault(o => o is not null);
        var seconds = (long)(clock.GetUtcNow() - run.StartedAt).TotalSeconds;
        await SetStatusAsync(run.Id, failure is null ? DownloadStates.Completed : DownloadStates.Failed, failure?.Message, CancellationToken.None);
        if (failure is null)
            bus.Publish(new DownloadCompleted(run.Id, record.PresetId, record.Name, seconds));
        else
            bus.Publish(new DownloadFailed(run.Id, record.PresetId, record.Name, failure.File, failure.Code, failure.Message));
    }

    private bool Stopping => _stopping.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested;

    private async Task FailUnexpectedlyAsync(RunningDownload run, Exception e)
    {
        var message = $"Internal error: {e.Message}";
        try
        {
            await SetStatusAsync(run.Id, DownloadStates.Failed, message, CancellationToken.None);
        }
        catch (Exception again)
        {
            logger.LogError(again, "Download {Id} could not be marked failed", run.Id);
            return;
        }
        bus.Publish(new DownloadFailed(run.Id, run.PresetId, run.Name, null, ErrorCodes.InternalError, message));
    }

    /// <summary>Whether the file is at its place with the given size.</summary>
    private bool InPlace(string path, long size) =>
        folder.TryResolve(path) is { } full && new FileInfo(full) is { Exists: true } info && info.Length == size;

    private sealed record FileFailure(string? File, string Code, string Message);

    private async Task<FileFailure?> FileOutcomeAsync(DownloadFileRecord file, RunningDownload run, CancellationToken ct)
    {
        try
        {
            await FileAsync(file, run, ct);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (DownloadFailedException e)
        {
            return new FileFailure(file.Path, e.Code, $"{file.Path}: {e.Message}");
        }
    }

    private async Task FileAsync(DownloadFileRecord file, RunningDownload run, CancellationToken ct)
    {
        if (file.Status == DownloadFileStates.Completed && file.TotalBytes is { } size && InPlace(file.Path, size))
        {
            run.Files[file.Id] = new FileProgress { Total = size, State = DownloadFileStates.Completed };
            run.Files[file.Id].Set(size);
            return;
        }
        SharedTransfer shared;
        lock (_lock)
        {
            if (!_transfers.TryGetValue(file.Id, out shared!) || shared.Task.IsCompleted)
            {
                shared = new SharedTransfer(file.Id, run.Files[file.Id], run.Priority, _stopping.Token);
                _transfers[file.Id] = shared;
                shared.Task = Task.Run(() => TransferAsync(shared), CancellationToken.None);
            }
            shared.Wanters.Add(run.Id);
            run.Files[file.Id] = shared.Progress;
        }
        try
        {
            await shared.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Not a registration on ct: the wait's own continuation may run first, inline, and would dispose it unrun.
            // When nobody else wants the file, the transfer stops: wait for its last writes to be recorded, so a
            // pause answers with a .part that a resume continues.
            if (Detach(shared, run.Id)) await Task.WhenAny(shared.Task, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
            throw;
        }
    }

    private async Task TransferAsync(SharedTransfer shared)
    {
        try
        {
            shared.Progress.State = DownloadFileStates.Waiting;
            using var slot = await _gate.EnterAsync(shared.Stop.Token, shared.Priority);
            DownloadFileRecord file;
            await using (var db = await dbFactory.CreateDbContextAsync(shared.Stop.Token))
                file = await db.DownloadFiles.AsNoTracking().FirstAsync(f => f.Id == shared.FileId, shared.Stop.Token);
            await services.GetRequiredService<FileTransfer>().RunAsync(file, shared.Progress, shared.Stop.Token);
        }
        finally
        {
            lock (_lock)
                if (_transfers.TryGetValue(shared.FileId, out var current) && current == shared) _transfers.Remove(shared.FileId);
        }
    }

    /// <summary>A download no longer wants a file: the transfer stops when nobody else does.</summary>
    private bool Detach(SharedTransfer shared, string downloadId)
    {
        lock (_lock)
        {
            shared.Wanters.Remove(downloadId);
            if (shared.Wanters.Count > 0) return false;
            shared.Stop.Cancel();
            return true;
        }
    }

    // ---- pause, resume, cancel --------------------------------------------------------------------------------

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

    // ---- views and live progress --------------------------------------------------------------------------------

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

    private sealed class SharedTransfer(int fileId, FileProgress progress, int priority, CancellationToken stopping)
    {
        public int FileId { get; } = fileId;
        /// <summary>The priority of the download that started it: a higher one gets a free slot first.</summary>
        public int Priority { get; } = priority;
        public FileProgress Progress { get; } = progress;
        public HashSet<string> Wanters { get; } = new(StringComparer.Ordinal);
        /// <summary>Cancelled when no download wants the file any more, or the app stops.</summary>
        public CancellationTokenSource Stop { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        public Task Task { get; set; } = Task.CompletedTask;
    }

    private sealed class RunningDownload(string id, DateTimeOffset startedAt) : IDisposable
    {
        private long _lastBytes = -1;
        private DateTimeOffset _lastAt = startedAt;

        public string Id { get; } = id;
        public string Name { get; set; } = "";
        public string? PresetId { get; set; }
        public int Priority { get; set; }
        public DateTimeOffset StartedAt { get; } = startedAt;
        public ConcurrentDictionary<int, FileProgress> Files { get; } = new();
        public CancellationTokenSource Stop { get; } = new();
        /// <summary>Hangfire aborted the run's job: a new job is enqueued once the run has ended.</summary>
        public bool Requeue { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Bytes per second, smoothed.</summary>
        public double Speed { get; private set; }

        public void Sample(DateTimeOffset now)
        {
            var bytes = Files.Values.Sum(f => f.Done);
            var seconds = (now - _lastAt).TotalSeconds;
            if (_lastBytes >= 0 && seconds > 0)
            {
                var instant = Math.Max(0, bytes - _lastBytes) / seconds;
                Speed = Speed == 0 ? instant : 0.7 * Speed + 0.3 * instant;
            }
            _lastBytes = bytes;
            _lastAt = now;
        }

        public void Dispose() => Stop.Dispose();
    }
}

/// <summary>The Hangfire job that runs a download (queue <c>downloads</c>; the engine does its own retries).</summary>
public sealed class DownloadJob(DownloadEngine engine)
{
    [System.ComponentModel.DisplayName("Download {0}")]
    [AutomaticRetry(Attempts = 0)]
    [Queue("downloads")]
    public Task RunAsync(string downloadId, CancellationToken ct) => engine.RunAsync(downloadId, ct);
}
