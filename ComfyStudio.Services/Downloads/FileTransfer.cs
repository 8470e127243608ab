using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Formatting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// Fetches one file to its place under the models folder, complete and verified, or fails cleanly. Probe (final
/// URL, size, ranges, validators), free-space check, then parallel ranged segments (or one stream when the server
/// offers no ranges) written in place into a preallocated <c>&lt;path&gt;.part</c>; written ranges are flushed and
/// recorded every <see cref="DownloadOptions.PersistInterval"/>, so a pause, crash or restart resumes where it stopped.
/// SHA-256 follows the written prefix; only a file of the exact size and expected hash is renamed into place.
/// </summary>
public sealed class FileTransfer(
    DownloadHttp http, ModelHosts hosts, DiskSpace diskSpace, ModelFolder folder, IOptions<DownloadOptions> options,
    IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock, ILogger<FileTransfer> logger)
{
    private DownloadOptions O => options.Value;

    /// <summary>Runs the transfer; <see cref="OperationCanceledException"/> when paused, <see cref="DownloadFailedException"/> when it failed.</summary>
    /// <remarks>
    /// The file's place is resolved through <see cref="ModelFolder"/> when the transfer starts and again before every
    /// rename and delete: a folder on its way swapped for a link out of the models folder fails the file with the
    /// reason, and nothing outside the models folder is written or deleted.
    /// </remarks>
    public async Task RunAsync(DownloadFileRecord file, FileProgress progress, CancellationToken ct)
    {
        progress.State = DownloadFileStates.Downloading;
        await UpdateAsync(file.Id, f => { f.Status = DownloadFileStates.Downloading; f.Error = null; f.ErrorCode = null; }, ct);
        try
        {
            try
            {
                await TransferAsync(file, progress, ct);
            }
            catch (FileChangedException e)
            {
                // Nothing of the old version can be kept: the next probe sees the new one and starts from zero.
                logger.LogInformation("{Path}: {Reason}; starting it again", file.Path, e.Message);
                await TransferAsync(file, progress, ct);
            }
        }
        catch (UnsafePathException e)
        {
            throw await FailAsync(file, progress, ErrorCodes.DownloadFailed, e.Message, e);
        }
        catch (DownloadHttpException e)
        {
            throw await FailAsync(file, progress, e.Kind == FailureKind.Access ? ErrorCodes.AccessDenied : ErrorCodes.DownloadFailed, e.Message, e);
        }
        catch (DownloadFailedException e)
        {
            throw await FailAsync(file, progress, e.Code, e.Message, e);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw await FailAsync(file, progress, ErrorCodes.InsufficientStorage, $"the disk of the models folder is full while writing {file.Path}; the part downloaded so far is kept for a resume", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw await FailAsync(file, progress, ErrorCodes.DownloadFailed, "cannot write the file: " + folder.Relative(e.Message), e);
        }
    }

    private async Task<DownloadFailedException> FailAsync(DownloadFileRecord file, FileProgress progress, string code, string message, Exception e)
    {
        progress.State = DownloadFileStates.Failed;
        progress.Retrying = null;
        logger.LogWarning("Download of {Path} failed: {Reason}", file.Path, message);
        try
        {
            await UpdateAsync(file.Id, f => { f.Status = DownloadFileStates.Failed; f.Error = message; f.ErrorCode = code; }, CancellationToken.None);
        }
        catch (Exception again)
        {
            // The download's own failure (recorded by the engine) still carries the reason.
            logger.LogWarning("Could not record the failure of {Path}: {Reason}", file.Path, again.Message);
        }
        return e as DownloadFailedException ?? new DownloadFailedException(code, message, e);
    }

    private async Task TransferAsync(DownloadFileRecord file, FileProgress progress, CancellationToken ct)
    {
        var target = folder.Resolve(file.Path);
        var part = folder.Resolve(file.Path, ".part");
        var url = hosts.Normalize(new Uri(file.Url));
        var remote = await RetryAsync(() => http.ProbeAsync(url, ct), progress, ct);
        if (file.ExpectedSize is { } expected && remote.Size is { } size && expected != size)
            throw new DownloadFailedException(ErrorCodes.DownloadFailed, $"the server's file is {size:N0} bytes, {expected:N0} were expected");
        var total = remote.Size ?? file.ExpectedSize;
        var expectedSha = file.ExpectedSha256 ?? remote.LinkedSha256;
        progress.Total = total;

        // Already in place (downloaded before, or placed by hand) and verified: nothing to fetch (a forced reinstall
        // keeps it only when a known SHA-256 proves it right).
        if (total is { } t && File.Exists(target) && new FileInfo(target).Length == t)
        {
            progress.State = DownloadFileStates.Verifying;
            var existing = await HashFileAsync(target, ct);
            if (existing == expectedSha || (expectedSha is null && !file.Refetch))
            {
                progress.Set(t);
                await CompleteAsync(file.Id, t, existing, Verified(expectedSha, t), progress);
                return;
            }
            progress.State = DownloadFileStates.Downloading;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var ranged = remote.AcceptsRanges && total > 0;
        var done = ranged ? Resumable(file, remote, total!.Value, part) : null;
        if (done is null)
        {
            folder.Delete(file.Path, ".part"); // not ours to trust: another version, or no record of what it holds
            done = new ByteRanges();
            await UpdateAsync(file.Id, f => { f.Validator = remote.Validator; f.TotalBytes = total; f.DoneRanges = ""; f.DownloadedBytes = 0; }, ct);
        }
        else if (done.Covered > 0)
        {
            logger.LogInformation("Resuming {Path} at {Done:N0} of {Total:N0} bytes", file.Path, done.Covered, total);
        }
        progress.Set(done.Covered);

        var needed = (total ?? 0) - done.Covered;
        if (!diskSpace.Fits(needed, Path.GetDirectoryName(target)!, out var free))
            throw new DownloadFailedException(ErrorCodes.InsufficientStorage,
                $"not enough disk space for {file.Path}: {ByteSize.Format(needed)} still to download plus a {ByteSize.Format(diskSpace.MarginBytes)} margin, {ByteSize.Format(free)} free");

        string sha;
        // A new .part reserves its whole size on the volume (fallocate): a disk that cannot hold the file says so now,
        // not half-way (a file system without fallocate gets a sparse file instead).
        using (var handle = OpenPart(file.Path, part, total))
        {
            if (ranged && RandomAccess.GetLength(handle) != total) RandomAccess.SetLength(handle, total!.Value);
            var state = new WrittenRanges(done, progress);
            using var cursorGuard = new CursorGuard(state);
            long length;
            try
            {
                length = ranged
                    ? await RangedAsync(new Source(url, remote, u => RetryAsync(() => http.ProbeAsync(u, ct), progress, ct)), total!.Value, handle, state, file.Id, ct)
                    : await SingleAsync(remote.FinalUrl, url, total, handle, state, file.Id, ct);
            }
            catch (RangesIgnoredException)
            {
                logger.LogInformation("{Host} ignored the range request; downloading {Path} as one stream", remote.FinalUrl.Host, file.Path);
                state.Reset();
                RandomAccess.SetLength(handle, 0);
                length = await SingleAsync(remote.FinalUrl, url, total, handle, state, file.Id, ct);
            }
            progress.State = DownloadFileStates.Verifying;
            await UpdateAsync(file.Id, f => f.Status = DownloadFileStates.Verifying, CancellationToken.None);
            sha = await state.Cursor!.FinishAsync(length, ct);
            if (RandomAccess.GetLength(handle) != length || (total is { } known && known != length))
                throw await RejectAsync(file, progress, $"the download is {length:N0} bytes, {total:N0} were expected");
            if (expectedSha is not null && sha != expectedSha)
                throw await RejectAsync(file, progress, $"SHA-256 mismatch: expected {expectedSha}, got {sha}");
            RandomAccess.FlushToDisk(handle);
            total = length;
        }
        // Resolved again: the folder may have been swapped for a link while the bytes arrived.
        if (folder.Resolve(file.Path, ".part") != part || folder.Resolve(file.Path) != target)
            throw new UnsafePathException(file.Path);
        File.Move(part, target, overwrite: true);
        await CompleteAsync(file.Id, total!.Value, sha, Verified(expectedSha, file.ExpectedSize ?? remote.Size), progress);
        logger.LogInformation("Downloaded and verified {Path} ({Bytes:N0} bytes, sha256 {Sha})", file.Path, total, sha);
    }

    /// <summary>Opens the <c>.part</c>; a new one reserves its whole size on the volume (fallocate), so a disk that
    /// cannot hold the file says so before the first byte, not half-way (a file system without fallocate gets a
    /// sparse file instead).</summary>
    private static SafeFileHandle OpenPart(string path, string part, long? total)
    {
        if (File.Exists(part)) return File.OpenHandle(part, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous);
        try
        {
            return File.OpenHandle(part, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, FileOptions.Asynchronous, total ?? 0);
        }
        catch (IOException e) when (total > 0 && (IsDiskFull(e) || e.Message.Contains("allocation size", StringComparison.OrdinalIgnoreCase)))
        {
            // .NET has removed the file it could not allocate.
            throw new DownloadFailedException(ErrorCodes.InsufficientStorage, $"not enough disk space for {path}: the volume cannot hold its {ByteSize.Format(total.Value)}", e);
        }
    }

    /// <summary>The written ranges of a <c>.part</c> that still matches its record (same server file, same size); else null.</summary>
    private static ByteRanges? Resumable(DownloadFileRecord file, RemoteFile remote, long total, string part)
    {
        if (remote.Validator is null || file.Validator != remote.Validator || file.TotalBytes != total) return null;
        if (!File.Exists(part) || new FileInfo(part).Length != total) return null;
        return ByteRanges.Parse(file.DoneRanges, total);
    }

    private async Task<DownloadFailedException> RejectAsync(DownloadFileRecord file, FileProgress progress, string reason)
    {
        folder.Delete(file.Path, ".part");
        progress.Set(0);
        await UpdateAsync(file.Id, f => { f.DoneRanges = ""; f.DownloadedBytes = 0; f.Validator = null; }, CancellationToken.None);
        return new DownloadFailedException(ErrorCodes.DownloadFailed, reason + "; the downloaded data was discarded");
    }

    /// <summary>What proved the file right: its known SHA-256, else a size known before the download, else nothing.</summary>
    private static string Verified(string? expectedSha, long? knownSize) =>
        expectedSha is not null ? Verification.Sha256 : knownSize is not null ? Verification.Size : Verification.None;

    private async Task CompleteAsync(int fileId, long size, string sha, string verified, FileProgress progress)
    {
        progress.State = DownloadFileStates.Completed;
        await UpdateAsync(fileId, f =>
        {
            f.Status = DownloadFileStates.Completed; f.TotalBytes = size; f.DownloadedBytes = size; f.Sha256 = sha; f.DoneRanges = null; f.Verification = verified;
            f.Error = null; f.ErrorCode = null; f.CompletedAt = clock.GetUtcNow().UtcDateTime; f.Refetch = false;
        }, CancellationToken.None);
    }

    /// <summary>Parallel ranged segments; answers the file's length.</summary>
    private async Task<long> RangedAsync(Source source, long total, SafeFileHandle handle, WrittenRanges state, int fileId, CancellationToken ct)
    {
        var plan = new SegmentPlan(state.Missing(total), Math.Max(64 * 1024, O.ChunkBytes), O.MinSplitBytes);
        state.Cursor = new HashCursor(handle, state.PrefixEnd);
        using var workers = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var connections = Math.Clamp(O.Connections, 1, Math.Max(1, plan.PendingChunks));
        var tasks = new List<Task>();
        for (var i = 0; i < connections; i++)
            tasks.Add(Task.Run(() => ConnectionAsync(source, plan, handle, state, workers.Token), CancellationToken.None));
        var persist = PersistLoopAsync(fileId, handle, state, workers.Token);
        try
        {
            await WhenAllOrFirstFailure(tasks, workers);
        }
        finally
        {
            await workers.CancelAsync();
            try { await persist; } catch (OperationCanceledException) { }
            await PersistQuietlyAsync(fileId, handle, state);
        }
        if (state.Covered != total) throw new DownloadHttpException($"{state.Covered:N0} of {total:N0} bytes arrived", FailureKind.Retryable);
        return total;
    }

    /// <summary>Waits for every task; the first failure cancels the others and is rethrown (a pause rethrows as cancellation).</summary>
    private static async Task WhenAllOrFirstFailure(List<Task> tasks, CancellationTokenSource others)
    {
        var pending = tasks.ToList();
        Exception? first = null;
        while (pending.Count > 0)
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            if (finished.Exception?.InnerException is { } e && first is null)
            {
                first = e;
                await others.CancelAsync();
            }
        }
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        if (tasks.Any(t => t.IsCanceled)) throw new OperationCanceledException();
    }

    /// <summary>
    /// One connection: takes segments until none are left, retrying its own with backoff. A refused link that a
    /// redirect gave (a CDN's signed link, valid for an hour or so) is renewed through the original URL.
    /// </summary>
    private async Task ConnectionAsync(Source source, SegmentPlan plan, SafeFileHandle handle, WrittenRanges state, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(O.BufferBytes);
        try
        {
            while (plan.Take() is { } segment)
            {
                var failures = 0;
                while (!plan.Done(segment))
                {
                    ct.ThrowIfCancellationRequested();
                    var (from, end) = plan.Remaining(segment);
                    var progressed = false;
                    var remote = source.Remote;
                    var url = remote.FinalUrl;
                    try
                    {
                        var (response, _, _, _) = await http.SendAsync(url, from, end - 1, ct, remote.StrongETag);
                        using (response)
                        {
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                // If-Range answers the whole file under another ETag: the file changed, or the host's
                                // servers disagree on ETags. The original URL tells which (a change ends the transfer).
                                if (remote.StrongETag is not null && response.Headers.ETag is { Tag: { } now } && now != remote.StrongETag)
                                {
                                    await source.RenewAsync(remote, ct, trustETag: false);
                                    continue;
                                }
                                throw new RangesIgnoredException();
                            }
                            if (response.Content.Headers.ContentRange is { From: { } f } && f != from)
                                throw new DownloadHttpException($"{url.Host} sent bytes from {f}, not {from}", FailureKind.Retryable);
                            await using var body = await response.Content.ReadAsStreamAsync(ct);
                            while (true)
                            {
                                var n = await ReadAsync(body, buffer, url, ct);
                                if (n == 0)
                                {
                                    if (!plan.Done(segment)) throw new DownloadHttpException($"{url.Host} closed the connection early", FailureKind.Retryable);
                                    break;
                                }
                                var written = 0;
                                while (written < n)
                                {
                                    var (offset, count) = plan.Reserve(segment, n - written);
                                    if (count == 0) break; // the segment's end moved: another connection has the rest
                                    await RandomAccess.WriteAsync(handle, buffer.AsMemory(written, count), offset, CancellationToken.None);
                                    state.Written(offset, count);
                                    written += count;
                                    progressed = true;
                                }
                                if (written < n || plan.Done(segment)) break;
                            }
                        }
                    }
                    catch (DownloadHttpException e) when (!ct.IsCancellationRequested
                        && (e.Kind == FailureKind.Retryable || (e.Kind == FailureKind.Access && source.CanRenew(remote))))
                    {
                        failures = progressed ? 1 : failures + 1;
                        if (failures >= O.MaxAttempts)
                            throw new DownloadHttpException($"{e.Message} ({failures} attempts)", e.Kind == FailureKind.Access ? FailureKind.Access : FailureKind.Fatal, inner: e);
                        if (e.Kind == FailureKind.Access)
                        {
                            // The link's query carries its signature: only the host goes to the log.
                            logger.LogInformation("{Host} refused the download link (expired?); asking {Origin} for a fresh one", url.Host, source.Origin.Host);
                            await source.RenewAsync(remote, ct);
                            continue;
                        }
                        logger.LogDebug("Retrying bytes {From}-{End} of {Host} after: {Reason}", from, end, url.Host, e.Message);
                        state.Retrying(new RetryState(failures, O.MaxAttempts, e.Message));
                        await Task.Delay(Backoff(failures, e.RetryAfter), ct);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One stream from the start (a server without ranges); restarts from zero when it breaks. Answers the length.</summary>
    private async Task<long> SingleAsync(Uri finalUrl, Uri url, long? total, SafeFileHandle handle, WrittenRanges state, int fileId, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(O.BufferBytes);
        using var persisting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var persist = PersistLoopAsync(fileId, handle, state, persisting.Token);
        var failures = 0;
        try
        {
            while (true)
            {
                state.Reset();
                state.Cursor = new HashCursor(handle, state.PrefixEnd);
                var offset = 0L;
                // After a failure, the original URL again: a redirect's link may have expired.
                var from = failures == 0 ? finalUrl : url;
                try
                {
                    var (response, _, _, _) = await http.SendAsync(from, null, null, ct);
                    using (response)
                    {
                        await using var body = await response.Content.ReadAsStreamAsync(ct);
                        while (await ReadAsync(body, buffer, finalUrl, ct) is var n and > 0)
                        {
                            await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, n), offset, CancellationToken.None);
                            state.Written(offset, n);
                            offset += n;
                        }
                    }
                    if (total is { } t && offset != t)
                        throw new DownloadHttpException($"the stream ended after {offset:N0} of {t:N0} bytes", FailureKind.Retryable);
                    RandomAccess.SetLength(handle, offset);
                    return offset;
                }
                catch (DownloadHttpException e) when (!ct.IsCancellationRequested
                    && (e.Kind == FailureKind.Retryable || (e.Kind == FailureKind.Access && from != url)))
                {
                    state.Cursor.Dispose();
                    failures = offset > 0 ? 1 : failures + 1;
                    if (failures >= O.MaxAttempts) throw new DownloadHttpException($"{e.Message} ({failures} attempts)", FailureKind.Fatal, inner: e);
                    logger.LogDebug("Restarting the stream of {Host} after: {Reason}", finalUrl.Host, e.Message);
                    state.Retrying(new RetryState(failures, O.MaxAttempts, e.Message));
                    await Task.Delay(Backoff(failures, e.RetryAfter), ct);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await persisting.CancelAsync();
            try { await persist; } catch (OperationCanceledException) { }
        }
    }

    private async Task<int> ReadAsync(Stream body, byte[] buffer, Uri url, CancellationToken ct)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(O.StallTimeout);
        try
        {
            return await body.ReadAsync(buffer.AsMemory(0, O.BufferBytes), stall.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DownloadHttpException($"{url.Host} sent nothing for {O.StallTimeout.TotalSeconds:0} s (stalled)", FailureKind.Retryable);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new DownloadHttpException($"{url.Host}: connection lost ({e.Message})", FailureKind.Retryable, inner: e);
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> attempt, FileProgress progress, CancellationToken ct)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                var result = await attempt();
                progress.Retrying = null;
                return result;
            }
            catch (DownloadHttpException e) when (e.Kind == FailureKind.Retryable && failures < O.MaxAttempts && !ct.IsCancellationRequested)
            {
                progress.Retrying = new RetryState(failures, O.MaxAttempts, e.Message);
                await Task.Delay(Backoff(failures, e.RetryAfter), ct);
            }
        }
    }

    /// <summary>Exponential backoff with full jitter, or the server's Retry-After (honoured up to <see cref="DownloadOptions.RetryAfterMaxDelay"/>).</summary>
    private TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        if (retryAfter is { } r) return r < O.RetryAfterMaxDelay ? r : O.RetryAfterMaxDelay;
        var ceiling = Math.Min(O.RetryMaxDelay.TotalMilliseconds, O.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    /// <summary>The last record of a transfer that is ending: a failure to record (a full disk holds the database too) is logged, never put in place of the reason the transfer ends.</summary>
    private async Task PersistQuietlyAsync(int fileId, SafeFileHandle handle, WrittenRanges state)
    {
        try
        {
            await PersistAsync(fileId, handle, state);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not record the progress of file {FileId}: {Reason}", fileId, e.Message);
        }
    }

    private async Task PersistLoopAsync(int fileId, SafeFileHandle handle, WrittenRanges state, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(O.PersistInterval, clock);
        while (await timer.WaitForNextTickAsync(ct))
            await PersistAsync(fileId, handle, state);
    }

    /// <summary>Records what is written: the ranges are read first, then the data flushed, so the record never claims unflushed bytes.</summary>
    private async Task PersistAsync(int fileId, SafeFileHandle handle, WrittenRanges state)
    {
        var (ranges, covered) = state.Snapshot();
        if (handle.IsClosed) return;
        RandomAccess.FlushToDisk(handle);
        await UpdateAsync(fileId, f => { f.DoneRanges = ranges; f.DownloadedBytes = covered; }, CancellationToken.None);
    }

    private async Task UpdateAsync(int fileId, Action<DownloadFileRecord> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.DownloadFiles.FindAsync([fileId], ct);
        if (row is null) return;
        change(row);
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    internal static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);


    private sealed class RangesIgnoredException : Exception;

    /// <summary>The file on the server is no longer the version being downloaded; its bytes so far are worthless.</summary>
    private sealed class FileChangedException(string host)
        : DownloadHttpException($"the file on {host} changed during the download", FailureKind.Fatal);

    /// <summary>
    /// Where the connections fetch from: the probe's final URL. A redirect's link (a CDN's, signed for an hour or so)
    /// that is refused mid-download is renewed by asking the original URL again, once for all connections, provided
    /// the file there is still the same version.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Its SemaphoreSlim never creates a wait handle: there is nothing to release")]
    private sealed class Source(Uri origin, RemoteFile probed, Func<Uri, Task<RemoteFile>> probe)
    {
        private readonly SemaphoreSlim _renewing = new(1, 1);
        public Uri Origin { get; } = origin;
        public RemoteFile Remote { get; private set; } = probed;

        /// <summary>Whether a refusal of <paramref name="remote"/>'s link may be an expired redirect (not the file's own answer).</summary>
        public bool CanRenew(RemoteFile remote) => remote.FinalUrl != Origin;

        /// <summary>
        /// Probes the original URL again for a fresh final URL; <see cref="FileChangedException"/> when the file there
        /// is another version now. Without <paramref name="trustETag"/> the final URL's ETag goes unused from then on
        /// (its servers gave the same file different ones).
        /// </summary>
        public async Task RenewAsync(RemoteFile stale, CancellationToken ct, bool trustETag = true)
        {
            await _renewing.WaitAsync(ct);
            try
            {
                if (!ReferenceEquals(Remote, stale)) return; // another connection has renewed it
                var fresh = await probe(Origin);
                if (fresh.Validator != Remote.Validator || fresh.Size != Remote.Size) throw new FileChangedException(Origin.Host);
                Remote = trustETag && Remote.StrongETag is not null ? fresh : fresh with { StrongETag = null };
            }
            finally
            {
                _renewing.Release();
            }
        }
    }

    /// <summary>Stops the hash cursor however the transfer ends.</summary>
    private sealed class CursorGuard(WrittenRanges state) : IDisposable
    {
        public void Dispose() => state.Cursor?.Dispose();
    }

    /// <summary>The ranges written so far (shared by the connections), the progress they make, and the hash cursor following them.</summary>
    private sealed class WrittenRanges(ByteRanges done, FileProgress progress)
    {
        private readonly Lock _lock = new();
        private ByteRanges _done = done;
        public HashCursor? Cursor { get; set; }

        public long Covered { get { lock (_lock) return _done.Covered; } }
        public long PrefixEnd() { lock (_lock) return _done.PrefixEnd; }
        public IEnumerable<(long Start, long End)> Missing(long total) { lock (_lock) return _done.Missing(total).ToList(); }
        public (string Ranges, long Covered) Snapshot() { lock (_lock) return (_done.ToString(), _done.Covered); }

        public void Written(long offset, int count)
        {
            lock (_lock) _done.Add(offset, offset + count);
            progress.Add(count);
            if (progress.Retrying is not null) progress.Retrying = null;
            Cursor?.Poke();
        }

        public void Retrying(RetryState retry) => progress.Retrying = retry;

        public void Reset()
        {
            lock (_lock) _done = new ByteRanges();
            progress.Set(0);
            Cursor?.Dispose();
            Cursor = null;
        }
    }
}
