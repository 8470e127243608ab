using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Logging;
using Hangfire.Server;
using Hangfire.Storage;
using Microsoft.Data.Sqlite;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// Hangfire job storage in one SQLite file. Every operation rents a connection of its own (kept open with its
/// prepared statements, never used by two operations at once); writes run in
/// <c>BEGIN IMMEDIATE</c> transactions, one at a time within the process. Fetched jobs and held locks are kept
/// alive by heartbeats, so a job that runs for hours is never handed to a second worker, and a job or lock whose
/// owner died is free again after its timeout. Local workers wake the moment a job is enqueued.
/// </summary>
public sealed class SqliteJobStorage : JobStorage, IDisposable
{
    private static readonly ILog Log = LogProvider.GetLogger(typeof(SqliteJobStorage));

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<long, string> _fetched = new();
    private readonly ConcurrentDictionary<string, string> _locks = new();
    private readonly Thread _heartbeat;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public SqliteJobStorage(string databasePath, SqliteJobStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        Options = options ?? new SqliteJobStorageOptions();
        BusyTimeout = EffectiveBusyTimeout(Options);
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false, // the storage keeps its own connections, with their prepared statements
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds),
        }.ToString();
        using (var connection = OpenConnection())
            SchemaVersion = SqliteSchema.Upgrade(connection);

        // A thread of its own: a claim must be renewed on time even when the thread pool is starved.
        _heartbeat = new Thread(Heartbeat) { IsBackground = true, Name = "SQLite job storage heartbeat" };
        _heartbeat.Start();
    }

    public SqliteJobStorageOptions Options { get; }
    public string DatabasePath { get; }
    public int SchemaVersion { get; }

    /// <summary>
    /// How long a statement waits for another process's write: the configured value, capped at a third of the
    /// shorter of the invisibility timeout and the lock lifetime, so a renewal that had to wait still lands in time.
    /// </summary>
    public TimeSpan BusyTimeout { get; }

    internal static TimeSpan EffectiveBusyTimeout(SqliteJobStorageOptions options)
    {
        var shortest = options.InvisibilityTimeout < options.DistributedLockLifetime ? options.InvisibilityTimeout : options.DistributedLockLifetime;
        var cap = TimeSpan.FromTicks(Math.Max(shortest.Ticks / 3, TimeSpan.FromMilliseconds(100).Ticks));
        return options.BusyTimeout < cap ? options.BusyTimeout : cap;
    }

    /// <summary>Signalled when a transaction that enqueued jobs commits (and when a job is requeued).</summary>
    internal QueueSignals JobEnqueued { get; } = new();

    /// <summary>Pulsed when a distributed lock is released.</summary>
    internal Broadcast LockReleased { get; } = new();

    public override IStorageConnection GetConnection() => new SqliteStorageConnection(this);

    public override IMonitoringApi GetMonitoringApi() => new SqliteMonitoringApi(this);

    public override bool LinearizableReads => true;

    public override IEnumerable<IBackgroundProcess> GetStorageWideProcesses() =>
        [new SqliteExpirationManager(this), new SqliteCountersAggregator(this)];

    public override bool HasFeature(string featureId) =>
        featureId == JobStorageFeatures.JobQueueProperty
        || featureId == JobStorageFeatures.ExtendedApi
        || featureId == JobStorageFeatures.ProcessesInsteadOfComponents
        || featureId == JobStorageFeatures.Connection.GetUtcDateTime
        || featureId == JobStorageFeatures.Connection.GetSetContains
        || featureId == JobStorageFeatures.Connection.LimitedGetSetCount
        || featureId == JobStorageFeatures.Connection.BatchedGetFirstByLowest
        || featureId == JobStorageFeatures.Monitoring.DeletedStateGraphs
        || featureId == JobStorageFeatures.Monitoring.AwaitingJobs
        || featureId == JobStorageFeatures.Transaction.CreateJob
        || featureId == JobStorageFeatures.Transaction.SetJobParameter
        || featureId == JobStorageFeatures.Transaction.RemoveFromQueue(typeof(SqliteFetchedJob))
        || base.HasFeature(featureId);

    public override void WriteOptionsToLog(ILog logger)
    {
        logger.Info($"SQLite job storage: {DatabasePath} (schema {SchemaVersion})");
        logger.Info($"    Invisibility timeout: {Options.InvisibilityTimeout} (renewed every {Beat(Options.InvisibilityTimeout)})");
        logger.Info($"    Queue poll interval (other processes only): {Options.QueuePollInterval}");
        logger.Info($"    Distributed lock lifetime: {Options.DistributedLockLifetime}");
        logger.Info($"    Busy timeout: {BusyTimeout}");
    }

    public override string ToString() => "SQLite: " + Path.GetFileName(DatabasePath);

    // ---- connections ------------------------------------------------------------------------------------

    private const int MaxIdleConnections = 16;
    private const long JournalSizeLimit = 4 * 1024 * 1024;
    private readonly ConcurrentBag<PooledConnection> _idle = new();

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={JournalSizeLimit};";
        cmd.ExecuteNonQuery();
        return connection;
    }

    private PooledConnection Rent() => _idle.TryTake(out var pooled) ? pooled : new PooledConnection(OpenConnection());

    /// <summary>A connection goes back to the pool only after a clean operation; after a failure it is closed.</summary>
    private void Return(PooledConnection pooled, bool clean)
    {
        if (clean && Volatile.Read(ref _disposed) == 0 && _idle.Count < MaxIdleConnections)
        {
            _idle.Add(pooled);
            // Dispose may have emptied the pool between the check and the add: then nobody else closes it.
            if (Volatile.Read(ref _disposed) != 0 && _idle.TryTake(out var late)) late.Dispose();
        }
        else pooled.Dispose();
    }

    /// <summary>A read on a connection of its own; each statement sees the latest committed state.</summary>
    internal T Read<T>(Func<SqliteSession, T> read)
    {
        var pooled = Rent();
        var clean = false;
        try
        {
            var result = read(new SqliteSession(pooled, null));
            clean = true;
            return result;
        }
        finally
        {
            Return(pooled, clean);
        }
    }

    /// <summary>A write in one <c>BEGIN IMMEDIATE</c> transaction on a connection of its own; one writer at a time in-process.</summary>
    internal T Write<T>(Func<SqliteSession, T> write)
    {
        _writeGate.Wait();
        PooledConnection? pooled = null;
        var clean = false;
        try
        {
            pooled = Rent();
            using var session = new SqliteSession(pooled, pooled.Connection.BeginTransaction(deferred: false));
            var result = write(session);
            session.Commit();
            Interlocked.Increment(ref _commitsSinceCheckpoint);
            clean = true;
            return result;
        }
        finally
        {
            if (pooled is not null) Return(pooled, clean);
            _writeGate.Release();
        }
    }

    internal void Write(Action<SqliteSession> write) => Write(s => { write(s); return 0; });

    // ---- queues -----------------------------------------------------------------------------------------

    private readonly ConcurrentDictionary<string, bool> _knownQueues = new(StringComparer.Ordinal);

    /// <summary>Whether this process already recorded the queue's name (after a committed enqueue).</summary>
    internal bool KnowsQueue(string queue) => _knownQueues.ContainsKey(queue);

    internal void RememberQueue(string queue) => _knownQueues.TryAdd(queue, true);

    // ---- job ids ----------------------------------------------------------------------------------------

    private const int JobIdBlock = 50;
    private readonly Lock _jobIds = new();
    private long _nextJobId, _jobIdLimit;

    /// <summary>
    /// The next job id, from a block this storage reserved: a new job's id is known before the transaction that
    /// creates it commits. Ids stay unique across processes; a block left unused when the process ends is skipped.
    /// Never call inside <see cref="Write{T}"/>: reserving a block is a write of its own.
    /// </summary>
    internal long NextJobId()
    {
        lock (_jobIds)
        {
            if (_nextJobId >= _jobIdLimit)
            {
                var end = Write(s => s.Long("UPDATE id_reservation SET next = next + $block WHERE name = 'job' RETURNING next",
                    ("$block", JobIdBlock)));
                (_nextJobId, _jobIdLimit) = (end - JobIdBlock, end);
            }
            return _nextJobId++;
        }
    }

    // ---- fetched jobs: sliding invisibility -----------------------------------------------------------

    internal void TrackFetched(long queueId, string token) => _fetched[queueId] = token;

    /// <summary>Stops renewing a claim, only if it is still this token's (the entry may have been claimed again since).</summary>
    internal void ForgetFetched(long queueId, string token) => _fetched.TryRemove(KeyValuePair.Create(queueId, token));

    private void KeepFetchedJobsAlive()
    {
        if (_fetched.IsEmpty || Volatile.Read(ref _disposed) != 0) return;
        try
        {
            var now = DbTime.Now;
            Write(s =>
            {
                foreach (var (id, token) in _fetched)
                {
                    var kept = s.Exec("UPDATE job_queue SET fetched_at = $now WHERE id = $id AND fetch_token = $token",
                        ("$now", now), ("$id", id), ("$token", token));
                    if (kept == 0 && _fetched.ContainsKey(id))
                        Log.Warn($"Queue entry {id} is no longer held by this worker; its job may have been taken over");
                }
            });
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException)
        {
            Log.WarnException("Could not renew the claim of running jobs; will try again", e);
        }
    }

    // ---- distributed locks ----------------------------------------------------------------------------

    internal void TrackLock(string resource, string owner) => _locks[resource] = owner;

    /// <summary>Stops renewing a lock, only if this owner still holds it here.</summary>
    internal void ForgetLock(string resource, string owner) => _locks.TryRemove(KeyValuePair.Create(resource, owner));

    private void KeepLocksAlive()
    {
        if (_locks.IsEmpty || Volatile.Read(ref _disposed) != 0) return;
        try
        {
            var expireAt = DbTime.In(Options.DistributedLockLifetime);
            Write(s =>
            {
                foreach (var (resource, owner) in _locks)
                    s.Exec("UPDATE distributed_lock SET expire_at = $expire WHERE resource = $resource AND owner = $owner",
                        ("$expire", expireAt), ("$resource", resource), ("$owner", owner));
            });
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException)
        {
            Log.WarnException("Could not renew held locks; will try again", e);
        }
    }

    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);
    private int _commitsSinceCheckpoint;

    /// <summary>
    /// Copies committed pages from the WAL into the database file. It runs here rather than inside a commit
    /// (SQLite's automatic checkpoint, switched off on these connections), so no job waits for its fsync.
    /// A checkpoint that could not copy everything (a reader still needed old pages) is tried again on the next
    /// beat. Once a checkpoint copied everything, the next writer starts the WAL over and trims the file to
    /// <c>journal_size_limit</c>, so it does not keep its largest size.
    /// </summary>
    private void Checkpoint()
    {
        var commits = Interlocked.Exchange(ref _commitsSinceCheckpoint, 0);
        if (commits == 0) return;
        try
        {
            // PASSIVE never waits for other readers or writers. Result: busy, WAL frames, frames copied.
            var (busy, frames, copied) = Read(s => s.Query("PRAGMA wal_checkpoint(PASSIVE);",
                r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)))[0]);
            if (busy != 0 || copied < frames) Interlocked.Add(ref _commitsSinceCheckpoint, commits);
        }
        catch (SqliteException e)
        {
            Interlocked.Add(ref _commitsSinceCheckpoint, commits);
            Log.WarnException("WAL checkpoint failed; will try again", e);
        }
    }

    /// <summary>Copies what was committed so far into <c>jobs.db</c> now (before a restart).</summary>
    public void Flush() => Checkpoint();

    private void Heartbeat()
    {
        var fetchedBeat = Beat(Options.InvisibilityTimeout);
        var lockBeat = Beat(Options.DistributedLockLifetime);
        var (nextFetched, nextLocks) = (DateTime.UtcNow + fetchedBeat, DateTime.UtcNow + lockBeat);
        var nextCheckpoint = DateTime.UtcNow + CheckpointInterval;
        while (true)
        {
            var due = nextFetched < nextLocks ? nextFetched : nextLocks;
            if (nextCheckpoint < due) due = nextCheckpoint;
            var wait = due - DateTime.UtcNow;
            if (_stopping.Token.WaitHandle.WaitOne(wait > TimeSpan.Zero ? wait : TimeSpan.Zero)) return;
            var now = DateTime.UtcNow;
            if (now >= nextFetched)
            {
                KeepFetchedJobsAlive();
                nextFetched = now + fetchedBeat;
            }
            if (now >= nextLocks)
            {
                KeepLocksAlive();
                nextLocks = now + lockBeat;
            }
            if (now >= nextCheckpoint)
            {
                Checkpoint();
                nextCheckpoint = now + CheckpointInterval;
            }
        }
    }

    private static TimeSpan Beat(TimeSpan timeout) => TimeSpan.FromTicks(Math.Max(timeout.Ticks / 5, TimeSpan.FromMilliseconds(20).Ticks));

    /// <summary>
    /// Stops the heartbeats. Claims and locks still held are left to expire, exactly as after a crash;
    /// a graceful Hangfire shutdown requeues its jobs before this.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _heartbeat.Join();
        _stopping.Dispose();
        Checkpoint(); // what was committed since the last beat reaches jobs.db itself
        while (_idle.TryTake(out var pooled)) pooled.Dispose();
    }
}

/// <summary>A signal every waiter sees: waiters take <see cref="Next"/> before they look, then wait on it.</summary>
internal sealed class Broadcast
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _current).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
