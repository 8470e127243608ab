using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace ComfyStudio.Tests.Events;

/// <summary>A flood of live ticks never pushes out an event that a subscriber records.</summary>
public sealed class EventBusTests
{
    private static DownloadProgressed Tick(int i) => new(new DownloadView($"dl_{i}", "p", "flood", "downloading", 1, 1, null, null, 1, 100, 1, 0, null,
        DateTime.UtcNow, DateTime.UtcNow, null, []));

    [Fact]
    public async Task A_typed_subscriber_keeps_its_event_through_a_flood_of_others()
    {
        var bus = new EventBus(NullLogger<EventBus>.Instance);
        var release = new TaskCompletionSource();
        var seen = new List<string>();
        using var _ = bus.Subscribe<DownloadCompleted>(async e =>
        {
            await release.Task; // a slow recorder (a busy database)
            lock (seen) seen.Add(e.DownloadId);
        });
        bus.Publish(new DownloadCompleted("dl_done", "preset", "done", 3));
        for (var i = 0; i < 10_000; i++) bus.Publish(Tick(i)); // ten times the queue's size
        release.SetResult();
        await TestWait.UntilAsync(() => { lock (seen) return seen.Count == 1; }, 5, "the completion to be handled");
        Assert.Equal(["dl_done"], seen);
    }

    [Fact]
    public async Task A_durable_subscriber_gets_every_event_however_far_behind_it_is()
    {
        var bus = new EventBus(NullLogger<EventBus>.Instance);
        var release = new TaskCompletionSource();
        var count = 0;
        using var _ = bus.SubscribeDurable(e => e.Persist, async e =>
        {
            await release.Task;
            Interlocked.Increment(ref count);
        });
        for (var i = 0; i < 5_000; i++)
        {
            bus.Publish(new DownloadQueued($"dl_{i}", "queued", 1));
            bus.Publish(Tick(i)); // not persisted: never queued for it
        }
        release.SetResult();
        await TestWait.UntilAsync(() => Volatile.Read(ref count) == 5_000, 10, "every persisted event");
    }
}
