using System.Text.Json;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// Hangfire's view of the storage for one caller. It holds no database connection itself: each call opens,
/// uses and returns its own. The only state it keeps is which locks it holds, so that a lock taken again
/// through the same connection is re-entered (counted), not waited for.
/// </summary>
internal sealed class SqliteStorageConnection(SqliteJobStorage storage) : JobStorageConnection
{
    private readonly Dictionary<string, SqliteDistributedLock> _held = new(StringComparer.Ordinal);

    public override IWriteOnlyTransaction CreateWriteTransaction() => new SqliteWriteTransaction(storage);

    public override IDisposable AcquireDistributedLock(string resource, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        lock (_held)
        {
            if (_held.TryGetValue(resource, out var held) && held.Enter()) return new Release(this, held);
        }
        var acquired = SqliteDistributedLock.Acquire(storage, resource, timeout);
        lock (_held) _held[resource] = acquired;
        return new Release(this, acquired);
    }

    private sealed class Release(SqliteStorageConnection owner, SqliteDistributedLock held) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            lock (owner._held)
            {
                if (!held.Exit()) return;
                owner._held.Remove(held.Resource);
            }
            held.Dispose();
        }
    }

    // ---- jobs -------------------------------------------------------------------------------------------

    public override string CreateExpiredJob(Job job, IDictionary<string, string> parameters, DateTime createdAt, TimeSpan expireIn)
    {
        var insert = SqliteWriteTransaction.NewJob(storage, job, parameters, createdAt, expireIn, out var id);
        storage.Write(insert);
        return id;
    }

    public override IFetchedJob FetchNextJob(string[] queues, CancellationToken cancellationToken)
    {
        if (queues is not { Length: > 0 }) throw new ArgumentException("At least one queue is needed", nameof(queues));
        var wake = storage.JobEnqueued.For(queues);
        var (signalled, trustSignals) = (false, true);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryFetch(queues, lookFirst: !(signalled && trustSignals)) is { } fetched) return fetched;
            // A wake that found nothing was stale (another worker took the job): later wakes are checked by a read first.
            if (signalled) trustSignals = false;
            // A local enqueue wakes one waiting worker at once; the poll only finds jobs from other processes.
            signalled = wake.Signal.Wait(storage.Options.QueuePollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// Claims the first waiting entry of the highest-priority queue in one statement, so two workers never
    /// claim the same entry. An entry whose claim was not renewed within the invisibility timeout counts as
    /// waiting: its worker died.
    /// </summary>
    private SqliteFetchedJob? TryFetch(string[] queues, bool lookFirst)
    {
        var stale = DbTime.Now - (long)storage.Options.InvisibilityTimeout.TotalMilliseconds;
        var names = string.Join(", ", queues.Select((_, i) => "$q" + i));
        var args = queues.Select((q, i) => ("$q" + i, (object?)q)).Append(("$stale", stale)).ToArray();
        var waiting = $"queue IN ({names}) AND (fetched_at IS NULL OR fetched_at < $stale)";
        // A read first (unless a local enqueue just signalled): idle workers polling an empty queue never take the write lock.
        if (lookFirst && storage.Read(s => s.Long($"SELECT EXISTS (SELECT 1 FROM job_queue WHERE {waiting})", args)) == 0)
            return null;

        var priority = string.Join(" ", queues.Select((_, i) => $"WHEN $q{i} THEN {i}"));
        var token = Guid.NewGuid().ToString("n");
        var claimed = storage.Write(s => s.Single($"""
            UPDATE job_queue SET fetched_at = $now, fetch_token = $token
            WHERE id = (SELECT id FROM job_queue WHERE {waiting}
                        ORDER BY CASE queue {priority} END, id LIMIT 1)
            RETURNING id, job_id, queue
            """,
            r => new Claim(r.GetInt64(0), r.GetInt64(1), r.GetString(2)),
            [.. args, ("$now", DbTime.Now), ("$token", token)]));
        return claimed is null ? null : new SqliteFetchedJob(storage, claimed.Id, claimed.JobId, claimed.Queue, token);
    }

    private sealed record Claim(long Id, long JobId, string Queue);

    public override void SetJobParameter(string id, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DbTime.TryJobId(id, out var jobId)) throw new ArgumentException($"'{id}' is not a job id", nameof(id));
        storage.Write(s => UpsertParameter(s, jobId, name, value));
    }

    internal static void UpsertParameter(SqliteSession s, long jobId, string name, string? value) => s.Exec("""
        INSERT INTO job_parameter (job_id, name, value) SELECT $id, $name, $value WHERE EXISTS (SELECT 1 FROM job WHERE id = $id)
        ON CONFLICT (job_id, name) DO UPDATE SET value = excluded.value
        """, ("$id", jobId), ("$name", name), ("$value", value));

    public override string? GetJobParameter(string id, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DbTime.TryJobId(id, out var jobId)) return null;
        return storage.Read(s => s.Scalar("SELECT value FROM job_parameter WHERE job_id = $id AND name = $name",
            ("$id", jobId), ("$name", name)) as string);
    }

    public override JobData? GetJobData(string jobId)
    {
        if (!DbTime.TryJobId(jobId, out var id)) return null;
        return storage.Read(s =>
        {
            // One statement: the job and its parameters (as a JSON object), read on every state change.
            var row = s.Single("""
                SELECT invocation_data, arguments, state_name, created_at,
                       (SELECT json_group_object(name, value) FROM job_parameter WHERE job_id = $id)
                FROM job WHERE id = $id
                """,
                r => new
                {
                    Payload = r.GetString(0), Arguments = r.GetString(1), State = r.NullableString(2), CreatedAt = r.GetInt64(3),
                    Parameters = r.NullableString(4),
                },
                ("$id", id));
            if (row is null) return null;
            var parameters = row.Parameters is null ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(row.Parameters);
            var data = new JobData
            {
                State = row.State,
                CreatedAt = DbTime.ToUtc(row.CreatedAt),
                ParametersSnapshot = new Dictionary<string, string>(
                    (parameters ?? []).Select(p => KeyValuePair.Create(p.Key, p.Value!)), StringComparer.Ordinal),
            };
            var invocation = InvocationData.DeserializePayload(row.Payload);
            if (!string.IsNullOrEmpty(row.Arguments)) invocation.Arguments = row.Arguments;
            data.InvocationData = invocation;
            try
            {
                data.Job = invocation.DeserializeJob();
            }
            catch (JobLoadException e)
            {
                data.LoadException = e;
            }
            return data;
        });
    }

    public override StateData? GetStateData(string jobId)
    {
        if (!DbTime.TryJobId(jobId, out var id)) return null;
        return storage.Read(s => s.Single("""
            SELECT st.name, st.reason, st.data FROM job j JOIN job_state st ON st.id = j.state_id WHERE j.id = $id
            """,
            r => new StateData { Name = r.GetString(0), Reason = r.NullableString(1), Data = StateDataOf(r.NullableString(2)) },
            ("$id", id)));
    }

    internal static Dictionary<string, string> StateDataOf(string? json) =>
        new(json is null ? [] : SerializationHelper.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.OrdinalIgnoreCase);

    // ---- servers ----------------------------------------------------------------------------------------

    public override void AnnounceServer(string serverId, ServerContext context)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        ArgumentNullException.ThrowIfNull(context);
        var data = SerializationHelper.Serialize(new SqliteServerData
        {
            WorkerCount = context.WorkerCount, Queues = context.Queues, StartedAt = DateTime.UtcNow,
        });
        storage.Write(s => s.Exec("""
            INSERT INTO server (id, data, last_heartbeat) VALUES ($id, $data, $now)
            ON CONFLICT (id) DO UPDATE SET data = excluded.data, last_heartbeat = excluded.last_heartbeat
            """, ("$id", serverId), ("$data", data), ("$now", DbTime.Now)));
    }

    public override void RemoveServer(string serverId) =>
        storage.Write(s => s.Exec("DELETE FROM server WHERE id = $id", ("$id", serverId)));

    public override void Heartbeat(string serverId)
    {
        var found = storage.Write(s => s.Exec("UPDATE server SET last_heartbeat = $now WHERE id = $id", ("$now", DbTime.Now), ("$id", serverId)));
        // Hangfire re-announces a server whose record vanished (it was timed out while the process slept).
        if (found == 0) throw new BackgroundServerGoneException();
    }

    public override int RemoveTimedOutServers(TimeSpan timeOut)
    {
        if (timeOut < TimeSpan.Zero) throw new ArgumentException("The timeout must be positive", nameof(timeOut));
        return storage.Write(s => s.Exec("DELETE FROM server WHERE last_heartbeat < $before", ("$before", DbTime.Now - (long)timeOut.TotalMilliseconds)));
    }

    // ---- sets -------------------------------------------------------------------------------------------

    public override HashSet<string> GetAllItemsFromSet(string key) =>
        storage.Read(s => s.Query("SELECT value FROM set_item WHERE key = $key", r => r.GetString(0), ("$key", key)).ToHashSet(StringComparer.Ordinal));

    public override string? GetFirstByLowestScoreFromSet(string key, double fromScore, double toScore) =>
        GetFirstByLowestScoreFromSet(key, fromScore, toScore, 1).FirstOrDefault();

    public override List<string> GetFirstByLowestScoreFromSet(string key, double fromScore, double toScore, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "The count must be positive");
        if (toScore < fromScore) throw new ArgumentException("The 'toScore' value must be higher or equal to the 'fromScore' value.");
        return storage.Read(s => s.Query("""
            SELECT value FROM set_item WHERE key = $key AND score BETWEEN $from AND $to ORDER BY score, id LIMIT $count
            """, r => r.GetString(0), ("$key", key), ("$from", fromScore), ("$to", toScore), ("$count", count)));
    }

    public override long GetSetCount(string key) =>
        storage.Read(s => s.Long("SELECT COUNT(*) FROM set_item WHERE key = $key", ("$key", key)));

    public override long GetSetCount(IEnumerable<string> keys, int limit)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (limit < 0) throw new ArgumentOutOfRangeException(nameof(limit), "The limit may not be negative");
        var list = keys.ToArray();
        if (list.Length == 0) return 0;
        var names = string.Join(", ", list.Select((_, i) => "$k" + i));
        return storage.Read(s => s.Long($"SELECT COUNT(*) FROM (SELECT 1 FROM set_item WHERE key IN ({names}) LIMIT $limit)",
            [.. list.Select((k, i) => ("$k" + i, (object?)k)), ("$limit", limit)]));
    }

    public override bool GetSetContains(string key, string value) =>
        storage.Read(s => s.Long("SELECT EXISTS (SELECT 1 FROM set_item WHERE key = $key AND value = $value)", ("$key", key), ("$value", value))) == 1;

    public override List<string> GetRangeFromSet(string key, int startingFrom, int endingAt) =>
        storage.Read(s => s.Query("SELECT value FROM set_item WHERE key = $key ORDER BY score, id LIMIT $count OFFSET $from",
            r => r.GetString(0), ("$key", key), ("$count", Math.Max(0, endingAt - startingFrom + 1)), ("$from", Math.Max(0, startingFrom))));

    public override TimeSpan GetSetTtl(string key) => Ttl("SELECT MIN(expire_at) FROM set_item WHERE key = $key", key);

    // ---- hashes -----------------------------------------------------------------------------------------

    public override void SetRangeInHash(string key, IEnumerable<KeyValuePair<string, string>> keyValuePairs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(keyValuePairs);
        var pairs = keyValuePairs.ToList();
        storage.Write(s => SqliteWriteTransaction.UpsertHash(s, key, pairs));
    }

    public override Dictionary<string, string>? GetAllEntriesFromHash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = storage.Read(s => s.Query("SELECT field, value FROM hash_entry WHERE key = $key",
            r => KeyValuePair.Create(r.GetString(0), r.NullableString(1)!), ("$key", key)));
        return entries.Count == 0 ? null : entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    public override string? GetValueFromHash(string key, string name) =>
        storage.Read(s => s.Scalar("SELECT value FROM hash_entry WHERE key = $key AND field = $field", ("$key", key), ("$field", name)) as string);

    public override long GetHashCount(string key) =>
        storage.Read(s => s.Long("SELECT COUNT(*) FROM hash_entry WHERE key = $key", ("$key", key)));

    public override TimeSpan GetHashTtl(string key) => Ttl("SELECT MIN(expire_at) FROM hash_entry WHERE key = $key", key);

    // ---- lists (newest first) ---------------------------------------------------------------------------

    public override long GetListCount(string key) =>
        storage.Read(s => s.Long("SELECT COUNT(*) FROM list_item WHERE key = $key", ("$key", key)));

    public override List<string> GetAllItemsFromList(string key) =>
        storage.Read(s => s.Query("SELECT value FROM list_item WHERE key = $key ORDER BY id DESC", r => r.NullableString(0)!, ("$key", key)));

    public override List<string> GetRangeFromList(string key, int startingFrom, int endingAt) =>
        storage.Read(s => s.Query("SELECT value FROM list_item WHERE key = $key ORDER BY id DESC LIMIT $count OFFSET $from",
            r => r.NullableString(0)!, ("$key", key), ("$count", Math.Max(0, endingAt - startingFrom + 1)), ("$from", Math.Max(0, startingFrom))));

    public override TimeSpan GetListTtl(string key) => Ttl("SELECT MIN(expire_at) FROM list_item WHERE key = $key", key);

    // ---- counters and time ------------------------------------------------------------------------------

    public override long GetCounter(string key) => storage.Read(s => CounterValue(s, key));

    internal static long CounterValue(SqliteSession s, string key) => s.Long("""
        SELECT IFNULL((SELECT SUM(value) FROM counter WHERE key = $key), 0)
             + IFNULL((SELECT value FROM aggregated_counter WHERE key = $key), 0)
        """, ("$key", key));

    public override DateTime GetUtcDateTime() => DateTime.UtcNow;

    private TimeSpan Ttl(string sql, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return storage.Read(s => s.Scalar(sql, ("$key", key))) is long expireAt
            ? TimeSpan.FromMilliseconds(expireAt - DbTime.Now)
            : TimeSpan.FromSeconds(-1);
    }
}
