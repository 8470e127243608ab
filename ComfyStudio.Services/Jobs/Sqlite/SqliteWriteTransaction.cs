using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// Collects Hangfire's writes and applies them all in one <c>BEGIN IMMEDIATE</c> transaction on commit:
/// all or nothing. Local workers are woken after a commit that enqueued jobs.
/// </summary>
internal sealed class SqliteWriteTransaction(SqliteJobStorage storage) : JobStorageTransaction
{
    private readonly List<Action<SqliteSession>> _writes = [];
    private readonly Dictionary<string, int> _enqueued = new(StringComparer.Ordinal);
    private readonly List<SqliteFetchedJob> _removed = [];

    public override void Commit()
    {
        storage.Write(s =>
        {
            foreach (var write in _writes) write(s);
        });
        _writes.Clear();
        foreach (var fetched in _removed) fetched.Removed();
        _removed.Clear();
        if (_enqueued.Count == 0) return;
        foreach (var queue in _enqueued.Keys) storage.RememberQueue(queue);
        storage.JobEnqueued.Enqueued(_enqueued);
    }

    // ---- jobs -------------------------------------------------------------------------------------------

    /// <summary>A job created with its first state in one commit (the client's usual path).</summary>
    public override string CreateJob(Job job, IDictionary<string, string> parameters, DateTime createdAt, TimeSpan expireIn)
    {
        _writes.Add(NewJob(storage, job, parameters, createdAt, expireIn, out var id));
        return id;
    }

    internal static Action<SqliteSession> NewJob(SqliteJobStorage storage, Job job, IDictionary<string, string> parameters,
        DateTime createdAt, TimeSpan expireIn, out string id)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(parameters);
        var invocation = InvocationData.SerializeJob(job);
        var payload = invocation.SerializePayload(excludeArguments: true);
        var arguments = invocation.Arguments ?? "";
        var pairs = parameters.ToList();
        var jobId = storage.NextJobId();
        id = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return s =>
        {
            s.Exec("""
                INSERT INTO job (id, invocation_data, arguments, created_at, expire_at)
                VALUES ($id, $payload, $arguments, $created, $expire)
                """,
                ("$id", jobId), ("$payload", payload), ("$arguments", arguments),
                ("$created", DbTime.Of(createdAt)), ("$expire", DbTime.Of(createdAt.Add(expireIn))));
            foreach (var (name, value) in pairs)
                s.Exec("INSERT INTO job_parameter (job_id, name, value) VALUES ($id, $name, $value)",
                    ("$id", jobId), ("$name", name), ("$value", value));
        };
    }

    public override void SetJobParameter(string jobId, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        OnJob(jobId, (s, id) => SqliteStorageConnection.UpsertParameter(s, id, name, value));
    }

    public override void ExpireJob(string jobId, TimeSpan expireIn) => OnJob(jobId, (s, id) =>
        s.Exec("UPDATE job SET expire_at = $expire WHERE id = $id", ("$expire", DbTime.In(expireIn)), ("$id", id)));

    public override void PersistJob(string jobId) => OnJob(jobId, (s, id) =>
        s.Exec("UPDATE job SET expire_at = NULL WHERE id = $id", ("$id", id)));

    public override void SetJobState(string jobId, IState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (name, reason, data) = (state.Name, state.Reason, SerializationHelper.Serialize(state.SerializeData()));
        OnJob(jobId, (s, id) =>
        {
            var stateId = InsertState(s, id, name, reason, data);
            if (stateId != 0)
                s.Exec("UPDATE job SET state_id = $state, state_name = $name WHERE id = $id", ("$state", stateId), ("$name", name), ("$id", id));
        });
    }

    public override void AddJobState(string jobId, IState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (name, reason, data) = (state.Name, state.Reason, SerializationHelper.Serialize(state.SerializeData()));
        OnJob(jobId, (s, id) => InsertState(s, id, name, reason, data));
    }

    private static long InsertState(SqliteSession s, long jobId, string name, string? reason, string data) => s.Long("""
        INSERT INTO job_state (job_id, name, reason, created_at, data)
        SELECT $job, $name, $reason, $now, $data WHERE EXISTS (SELECT 1 FROM job WHERE id = $job)
        RETURNING id
        """, ("$job", jobId), ("$name", name), ("$reason", reason), ("$now", DbTime.Now), ("$data", data));

    public override void AddToQueue(string queue, string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        _enqueued[queue] = _enqueued.GetValueOrDefault(queue) + 1;
        OnJob(jobId, (s, id) =>
        {
            s.Exec("INSERT INTO job_queue (job_id, queue) VALUES ($id, $queue)", ("$id", id), ("$queue", queue));
            if (!storage.KnowsQueue(queue)) s.Exec("INSERT OR IGNORE INTO queue (name) VALUES ($queue)", ("$queue", queue));
        });
    }

    /// <summary>
    /// The worker's acknowledgement in the same commit as the job's final state: a job never shows as finished
    /// while still claimed in its queue, and a crash between the two cannot run it again.
    /// </summary>
    public override void RemoveFromQueue(IFetchedJob fetchedJob)
    {
        if (fetchedJob is not SqliteFetchedJob fetched)
            throw new ArgumentException("Only jobs fetched from this storage can be removed in its transactions", nameof(fetchedJob));
        _writes.Add(fetched.Remove);
        _removed.Add(fetched);
    }

    private void OnJob(string jobId, Action<SqliteSession, long> write)
    {
        if (!DbTime.TryJobId(jobId, out var id)) throw new ArgumentException($"'{jobId}' is not a job id", nameof(jobId));
        _writes.Add(s => write(s, id));
    }

    // ---- counters ---------------------------------------------------------------------------------------

    public override void IncrementCounter(string key) => Count(key, +1, null);
    public override void IncrementCounter(string key, TimeSpan expireIn) => Count(key, +1, expireIn);
    public override void DecrementCounter(string key) => Count(key, -1, null);
    public override void DecrementCounter(string key, TimeSpan expireIn) => Count(key, -1, expireIn);

    private void Count(string key, int delta, TimeSpan? expireIn)
    {
        ArgumentNullException.ThrowIfNull(key);
        _writes.Add(s => s.Exec("INSERT INTO counter (key, value, expire_at) VALUES ($key, $value, $expire)",
            ("$key", key), ("$value", delta), ("$expire", expireIn is { } e ? DbTime.In(e) : null)));
    }

    // ---- sets -------------------------------------------------------------------------------------------

    public override void AddToSet(string key, string value) => AddToSet(key, value, 0.0);

    public override void AddToSet(string key, string value, double score)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _writes.Add(s => s.Exec("""
            INSERT INTO set_item (key, value, score) VALUES ($key, $value, $score)
            ON CONFLICT (key, value) DO UPDATE SET score = excluded.score
            """, ("$key", key), ("$value", value), ("$score", score)));
    }

    public override void AddRangeToSet(string key, IList<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items) AddToSet(key, item);
    }

    public override void RemoveFromSet(string key, string value) =>
        _writes.Add(s => s.Exec("DELETE FROM set_item WHERE key = $key AND value = $value", ("$key", key), ("$value", value)));

    public override void RemoveSet(string key) =>
        _writes.Add(s => s.Exec("DELETE FROM set_item WHERE key = $key", ("$key", key)));

    public override void ExpireSet(string key, TimeSpan expireIn) => Expire("set_item", key, expireIn);
    public override void PersistSet(string key) => Expire("set_item", key, null);

    // ---- lists (newest first: an insert goes to the head) -----------------------------------------------

    public override void InsertToList(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _writes.Add(s => s.Exec("INSERT INTO list_item (key, value) VALUES ($key, $value)", ("$key", key), ("$value", value)));
    }

    public override void RemoveFromList(string key, string value) =>
        _writes.Add(s => s.Exec("DELETE FROM list_item WHERE key = $key AND value = $value", ("$key", key), ("$value", value)));

    public override void TrimList(string key, int keepStartingFrom, int keepEndingAt) =>
        _writes.Add(s => s.Exec("""
            DELETE FROM list_item WHERE key = $key AND id NOT IN
                (SELECT id FROM list_item WHERE key = $key ORDER BY id DESC LIMIT $count OFFSET $from)
            """, ("$key", key), ("$count", Math.Max(0, keepEndingAt - keepStartingFrom + 1)), ("$from", Math.Max(0, keepStartingFrom))));

    public override void ExpireList(string key, TimeSpan expireIn) => Expire("list_item", key, expireIn);
    public override void PersistList(string key) => Expire("list_item", key, null);

    // ---- hashes -----------------------------------------------------------------------------------------

    public override void SetRangeInHash(string key, IEnumerable<KeyValuePair<string, string>> keyValuePairs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(keyValuePairs);
        var pairs = keyValuePairs.ToList();
        _writes.Add(s => UpsertHash(s, key, pairs));
    }

    internal static void UpsertHash(SqliteSession s, string key, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        foreach (var (field, value) in pairs)
            s.Exec("""
                INSERT INTO hash_entry (key, field, value) VALUES ($key, $field, $value)
                ON CONFLICT (key, field) DO UPDATE SET value = excluded.value
                """, ("$key", key), ("$field", field), ("$value", value));
    }

    public override void RemoveHash(string key) =>
        _writes.Add(s => s.Exec("DELETE FROM hash_entry WHERE key = $key", ("$key", key)));

    public override void ExpireHash(string key, TimeSpan expireIn) => Expire("hash_entry", key, expireIn);
    public override void PersistHash(string key) => Expire("hash_entry", key, null);

    private void Expire(string table, string key, TimeSpan? expireIn)
    {
        ArgumentNullException.ThrowIfNull(key);
        _writes.Add(s => s.Exec($"UPDATE {table} SET expire_at = $expire WHERE key = $key",
            ("$expire", expireIn is { } e ? DbTime.In(e) : null), ("$key", key)));
    }
}
