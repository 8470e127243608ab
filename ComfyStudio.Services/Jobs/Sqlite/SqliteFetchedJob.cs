using Hangfire.Logging;
using Hangfire.Storage;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// A queue entry claimed by one worker. The storage renews the claim while this object lives; removal and
/// requeue match the claim's token, so a worker that lost its claim can never settle another worker's.
/// </summary>
internal sealed class SqliteFetchedJob : IFetchedJob
{
    private static readonly ILog Log = LogProvider.GetLogger(typeof(SqliteFetchedJob));
    private readonly SqliteJobStorage _storage;
    private readonly string _token;
    private int _settled;

    public SqliteFetchedJob(SqliteJobStorage storage, long queueId, long jobId, string queue, string token)
    {
        _storage = storage;
        _token = token;
        QueueId = queueId;
        JobId = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Queue = queue;
        storage.TrackFetched(queueId, token);
    }

    public long QueueId { get; }
    public string JobId { get; }
    public string Queue { get; }

    public void RemoveFromQueue()
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _storage.ForgetFetched(QueueId, _token);
        _storage.Write(Remove);
    }

    /// <summary>The removal as a write of its own or inside the transaction that records the job's final state.</summary>
    internal void Remove(SqliteSession s) =>
        s.Exec("DELETE FROM job_queue WHERE id = $id AND fetch_token = $token", ("$id", QueueId), ("$token", _token));

    /// <summary>Called once a transaction that removed this entry has committed: nothing is left to settle.</summary>
    internal void Removed()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0) _storage.ForgetFetched(QueueId, _token);
    }

    public void Requeue()
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0) return;
        _storage.ForgetFetched(QueueId, _token);
        _storage.Write(s => s.Exec("UPDATE job_queue SET fetched_at = NULL, fetch_token = NULL WHERE id = $id AND fetch_token = $token",
            ("$id", QueueId), ("$token", _token)));
        _storage.JobEnqueued.Enqueued(Queue);
    }

    /// <summary>A job neither removed nor requeued (its worker was stopped) goes back to its queue.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _settled) != 0) return;
        try
        {
            Requeue();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            Log.WarnException($"Could not requeue job {JobId}; it is handed out again after the invisibility timeout", e);
        }
    }
}
