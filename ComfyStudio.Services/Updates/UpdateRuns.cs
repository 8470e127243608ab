using Hangfire;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// Starts updates and lets their callers wait: one update at a time; the API call and the System page enqueue the
/// Hangfire job and wait for its result here.
/// </summary>
public sealed class UpdateRuns(IBackgroundJobClient jobs)
{
    private readonly Dictionary<string, TaskCompletionSource<UpdateResult>> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long a caller waits for the job before it is told the update still runs.</summary>
    public TimeSpan WaitLimit { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Held by the update job while it runs.</summary>
    internal SemaphoreSlim Deploying { get; } = new(1, 1);

    /// <summary>Validates the skip list (400), refuses a second update (409), enqueues the job and waits for its result.</summary>
    /// <exception cref="UpdateFailedException">The update failed; nothing changed.</exception>
    public async Task<UpdateResult> RunAsync(IEnumerable<string?>? skipComponents, CancellationToken ct = default)
    {
        var skip = ReleaseComponents.ValidateSkipList(skipComponents).Order(StringComparer.Ordinal).ToArray();
        var run = Guid.NewGuid().ToString("N");
        var done = new TaskCompletionSource<UpdateResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_waiting.Count > 0 || Deploying.CurrentCount == 0) throw Errors.StudioException.Conflict("An update is already running");
            _waiting[run] = done;
        }
        try
        {
            jobs.Enqueue<StudioUpdater>(u => u.RunAsync(skip, run, CancellationToken.None));
            return await done.Task.WaitAsync(WaitLimit, ct);
        }
        catch (TimeoutException)
        {
            throw new UpdateFailedException($"The update did not finish within {WaitLimit.TotalMinutes:0} minutes; see the jobs dashboard");
        }
        finally
        {
            lock (_lock) _waiting.Remove(run);
        }
    }

    internal void Complete(string? run, UpdateResult result)
    {
        lock (_lock)
            if (run is not null && _waiting.TryGetValue(run, out var tcs)) tcs.TrySetResult(result);
    }

    internal void Fail(string? run, UpdateFailedException e)
    {
        lock (_lock)
            if (run is not null && _waiting.TryGetValue(run, out var tcs)) tcs.TrySetException(e);
    }
}
