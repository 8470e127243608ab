using System.Collections.Concurrent;

namespace ComfyStudio.Services.Jobs.Sqlite;

/// <summary>
/// Wakes local workers when jobs are enqueued. Workers that listen to the same queues form a group with one
/// counting signal: each enqueued job wakes one worker of every group that listens to its queue, not the
/// whole pool, and a wake that comes while no worker waits is kept for the next one to look.
/// </summary>
internal sealed class QueueSignals
{
    /// <summary>Wakes kept at most per group: enough for a burst, few enough that stale ones cost nothing.</summary>
    private const int MaxPending = 64;

    private readonly ConcurrentDictionary<string, Group> _groups = new(StringComparer.Ordinal);

    public sealed class Group(string[] queues)
    {
        public string[] Queues { get; } = queues;
        public SemaphoreSlim Signal { get; } = new(0, MaxPending);

        public void Wake(int count)
        {
            lock (Signal)
            {
                var room = MaxPending - Signal.CurrentCount;
                if (room > 0) Signal.Release(Math.Min(count, room));
            }
        }
    }

    public Group For(string[] queues) => _groups.GetOrAdd(string.Join('\n', queues), _ => new Group([.. queues]));

    public void Enqueued(IReadOnlyDictionary<string, int> jobsPerQueue)
    {
        foreach (var group in _groups.Values)
        {
            var count = 0;
            foreach (var queue in group.Queues) count += jobsPerQueue.GetValueOrDefault(queue);
            if (count > 0) group.Wake(count);
        }
    }

    public void Enqueued(string queue) => Enqueued(new Dictionary<string, int> { [queue] = 1 });
}
