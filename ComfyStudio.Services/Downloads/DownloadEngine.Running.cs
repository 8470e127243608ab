using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Downloads;

/// <summary>The engine's runs: a download's job, its files through the concurrency gate, a file shared between downloads fetched once.</summary>
public sealed partial class DownloadEngine
{

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
}
