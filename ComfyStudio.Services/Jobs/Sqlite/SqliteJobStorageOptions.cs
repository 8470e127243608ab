namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>Tuning of the SQLite job storage. Every setter refuses a value that would break the storage.</summary>
public sealed class SqliteJobStorageOptions
{
    private TimeSpan _invisibilityTimeout = TimeSpan.FromMinutes(5);
    private TimeSpan _queuePollInterval = TimeSpan.FromSeconds(1);
    private TimeSpan _lockLifetime = TimeSpan.FromSeconds(30);
    private TimeSpan _expirationCheckInterval = TimeSpan.FromMinutes(30);
    private TimeSpan _countersAggregateInterval = TimeSpan.FromMinutes(5);
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a fetched job stays invisible to other workers without a heartbeat. A running job's claim
    /// is renewed every fifth of this, so it bounds only how soon a dead worker's job is handed out again.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get => _invisibilityTimeout; set => _invisibilityTimeout = Positive(value, nameof(InvisibilityTimeout)); }

    /// <summary>How often an idle worker looks for jobs enqueued by another process (local enqueues wake it at once).</summary>
    public TimeSpan QueuePollInterval { get => _queuePollInterval; set => _queuePollInterval = Positive(value, nameof(QueuePollInterval)); }

    /// <summary>How long a distributed lock outlives its owner; a held lock is renewed every fifth of this.</summary>
    public TimeSpan DistributedLockLifetime { get => _lockLifetime; set => _lockLifetime = Positive(value, nameof(DistributedLockLifetime)); }

    /// <summary>How often expired jobs, sets, lists, hashes and counters are deleted.</summary>
    public TimeSpan JobExpirationCheckInterval { get => _expirationCheckInterval; set => _expirationCheckInterval = Positive(value, nameof(JobExpirationCheckInterval)); }

    /// <summary>How often counter increments are rolled into their totals.</summary>
    public TimeSpan CountersAggregateInterval { get => _countersAggregateInterval; set => _countersAggregateInterval = Positive(value, nameof(CountersAggregateInterval)); }

    /// <summary>
    /// How long one statement waits for another process's writer before it fails; capped by the storage at a third
    /// of the shorter of <see cref="InvisibilityTimeout"/> and <see cref="DistributedLockLifetime"/>.
    /// </summary>
    public TimeSpan BusyTimeout { get => _busyTimeout; set => _busyTimeout = Positive(value, nameof(BusyTimeout)); }

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, name + " must be positive");
}
