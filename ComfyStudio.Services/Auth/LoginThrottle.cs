using System.Collections.Concurrent;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Auth;

/// <summary>
/// Slows down guessing at the login form: after <see cref="MaxFailures"/> wrong keys from one client within
/// <see cref="Window"/>, that client is locked out, for one minute at first and twice as long after each
/// further lock-out (at most 30 minutes). Only time clears failures: a request with a valid key does not (behind a
/// shared proxy the owner's own traffic would otherwise reset the count for every guesser).
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, EventBus bus)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(30);

    private sealed class Record
    {
        public readonly Queue<DateTimeOffset> Failures = new();
        public DateTimeOffset LockedUntil;
        public int Lockouts;
    }

    private readonly ConcurrentDictionary<string, Record> _clients = new();

    /// <summary>How long the client must still wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        if (!_clients.TryGetValue(client, out var r)) return null;
        lock (r)
        {
            var left = r.LockedUntil - clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    /// <summary>Counts a wrong key; returns the lock-out it caused, if any.</summary>
    public TimeSpan? RecordFailure(string client)
    {
        var now = clock.GetUtcNow();
        var r = _clients.GetOrAdd(client, _ => new Record());
        TimeSpan? locked = null;
        lock (r)
        {
            r.Failures.Enqueue(now);
            while (r.Failures.Count > 0 && now - r.Failures.Peek() > Window) r.Failures.Dequeue();
            if (r.Failures.Count >= MaxFailures)
            {
                var span = TimeSpan.FromTicks(Math.Min(MaxLockout.Ticks, FirstLockout.Ticks << Math.Min(r.Lockouts, 10)));
                r.Lockouts++;
                r.LockedUntil = now + span;
                r.Failures.Clear();
                locked = span;
            }
        }
        Prune(now);
        if (locked is { } l) bus.Publish(new LoginThrottled(client, l));
        return locked;
    }

    /// <summary>Drops a client's record at once, as a restart does (tests start from a clean record with it).</summary>
    public void Forget(string client) => _clients.TryRemove(client, out _);

    private long _lastPrune;

    /// <summary>Drops finished records once the table is large, at most once a minute.</summary>
    private void Prune(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastPrune);
        if (_clients.Count < 10_000 || now.UtcTicks - last < TimeSpan.TicksPerMinute
            || Interlocked.CompareExchange(ref _lastPrune, now.UtcTicks, last) != last) return;
        foreach (var (key, r) in _clients)
            lock (r)
                if (r.LockedUntil < now && (r.Failures.Count == 0 || now - r.Failures.Peek() > Window))
                    _clients.TryRemove(key, out _);
    }
}
