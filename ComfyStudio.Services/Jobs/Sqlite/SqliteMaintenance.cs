using Hangfire.Server;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>Deletes what has expired: finished jobs (with their states and parameters), sets, lists, hashes, counters and dead locks.</summary>
internal sealed class SqliteExpirationManager(SqliteJobStorage storage) : IBackgroundProcess
{
    private const int Batch = 1000;
    private static readonly string[] Tables = ["job", "list_item", "set_item", "hash_entry", "counter", "aggregated_counter", "distributed_lock"];

    public void Execute(BackgroundProcessContext context)
    {
        RemoveExpired();
        context.Wait(storage.Options.JobExpirationCheckInterval);
    }

    /// <summary>One pass, in short batches so that workers are never kept waiting for long.</summary>
    public int RemoveExpired()
    {
        var removed = 0;
        var now = DbTime.Now;
        foreach (var table in Tables)
        {
            int deleted;
            do
            {
                deleted = storage.Write(s => s.Exec(
                    $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE expire_at < $now LIMIT {Batch})", ("$now", now)));
                removed += deleted;
            } while (deleted == Batch);
        }
        removed += storage.Write(s => s.Exec("DELETE FROM job_queue WHERE job_id NOT IN (SELECT id FROM job)"));
        return removed;
    }

    public override string ToString() => "SQLite expiration manager";
}

/// <summary>Rolls counter increments into one total per key, so counters stay cheap to read.</summary>
internal sealed class SqliteCountersAggregator(SqliteJobStorage storage) : IBackgroundProcess
{
    public void Execute(BackgroundProcessContext context)
    {
        Aggregate();
        context.Wait(storage.Options.CountersAggregateInterval);
    }

    public int Aggregate() => storage.Write(s =>
    {
        var last = s.Long("SELECT IFNULL(MAX(id), 0) FROM counter");
        if (last == 0) return 0;
        s.Exec("""
            INSERT INTO aggregated_counter (key, value, expire_at)
            SELECT key, SUM(value), MAX(expire_at) FROM counter WHERE id <= $last GROUP BY key
            ON CONFLICT (key) DO UPDATE SET
                value = aggregated_counter.value + excluded.value,
                expire_at = CASE WHEN aggregated_counter.expire_at > excluded.expire_at
                                 THEN aggregated_counter.expire_at ELSE excluded.expire_at END
            """, ("$last", last));
        return s.Exec("DELETE FROM counter WHERE id <= $last", ("$last", last));
    });

    public override string ToString() => "SQLite counters aggregator";
}
