using Hangfire.Logging;
using Hangfire.Storage;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// A lock on a named resource, shared by every process on the database file. Taken in one statement (a free
/// or expired lock is claimed, a live one is left alone), renewed by the storage's heartbeat while held,
/// and released only by its owner.
/// </summary>
internal sealed class SqliteDistributedLock : IDisposable
{
    private static readonly ILog Log = LogProvider.GetLogger(typeof(SqliteDistributedLock));
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(250);
    private readonly SqliteJobStorage _storage;
    private readonly string _owner;
    private int _entries = 1;
    private int _released;

    private SqliteDistributedLock(SqliteJobStorage storage, string resource, string owner)
    {
        _storage = storage;
        _owner = owner;
        Resource = resource;
    }

    public string Resource { get; }

    public static SqliteDistributedLock Acquire(SqliteJobStorage storage, string resource, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout may not be negative");
        var owner = Guid.NewGuid().ToString("n");
        var deadline = DateTime.UtcNow + timeout;
        var backoff = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var released = storage.LockReleased.Next;
            var now = DbTime.Now;
            var taken = storage.Write(s => s.Exec("""
                INSERT INTO distributed_lock (resource, owner, expire_at) VALUES ($resource, $owner, $expire)
                ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, expire_at = excluded.expire_at
                WHERE distributed_lock.expire_at < $now
                """, ("$resource", resource), ("$owner", owner),
                ("$expire", now + (long)storage.Options.DistributedLockLifetime.TotalMilliseconds), ("$now", now))) == 1;
            if (taken)
            {
                storage.TrackLock(resource, owner);
                return new SqliteDistributedLock(storage, resource, owner);
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new DistributedLockTimeoutException(resource);
            // A release in this process wakes us at once; one in another process is seen at the next try.
            released.Wait(left < backoff ? left : backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks) + Random.Shared.Next(0, 5000));
        }
    }

    /// <summary>Counts one more holder through the same connection; false once released.</summary>
    public bool Enter()
    {
        if (_entries == 0) return false;
        _entries++;
        return true;
    }

    /// <summary>Counts one holder out; true when that was the last one.</summary>
    public bool Exit() => --_entries == 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _storage.ForgetLock(Resource, _owner);
        try
        {
            _storage.Write(s => s.Exec("DELETE FROM distributed_lock WHERE resource = $resource AND owner = $owner",
                ("$resource", Resource), ("$owner", _owner)));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            Log.WarnException($"Could not release lock '{Resource}'; it expires by itself", e);
        }
        _storage.LockReleased.Pulse();
    }
}
