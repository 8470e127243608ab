using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Events;

/// <summary>
/// The in-process event bus. <see cref="Publish"/> never blocks and never throws: each subscriber has its own queue
/// drained on its own task, so a slow WebSocket or Blazor circuit cannot hold up a download. A subscriber sees only
/// the events it asked for (filtered before queueing, so a flood of others cannot push them out). A live view's
/// queue is bounded and drops its oldest events when full; a subscriber that records something (the event log, an
/// install record) is <see cref="SubscribeDurable{T}(Func{T, Task})">durable</see>: its queue never drops.
/// </summary>
public sealed class EventBus(ILogger<EventBus> logger)
{
    private readonly ILogger _logger = logger;
    private ImmutableArray<Subscription> _subscriptions = [];

    public void Publish(StudioEvent evt)
    {
        foreach (var s in _subscriptions)
            s.Offer(evt);
    }

    /// <summary>Calls <paramref name="handler"/> for every event of type <typeparamref name="T"/> until disposed (a live view: the oldest are dropped past <paramref name="capacity"/>).</summary>
    public IDisposable Subscribe<T>(Func<T, Task> handler, int capacity = 1024) where T : StudioEvent =>
        Add(new Subscription(this, e => e is T, e => handler((T)e), capacity));

    /// <summary>Calls <paramref name="handler"/> for every event of type <typeparamref name="T"/>, none ever dropped (a recorder).</summary>
    public IDisposable SubscribeDurable<T>(Func<T, Task> handler) where T : StudioEvent =>
        SubscribeDurable(e => e is T, e => handler((T)e));

    /// <summary>Calls <paramref name="handler"/> for every event until disposed (a live view: the oldest are dropped past <paramref name="capacity"/>).</summary>
    public IDisposable Subscribe(Func<StudioEvent, Task> handler, int capacity = 1024) =>
        Add(new Subscription(this, null, handler, capacity));

    /// <summary>
    /// Calls <paramref name="handler"/> for every event that <paramref name="wanted"/> accepts (a live view: the oldest
    /// are dropped past <paramref name="capacity"/>). <paramref name="wanted"/> runs on the publisher's thread: keep it cheap.
    /// </summary>
    public IDisposable Subscribe(Func<StudioEvent, bool> wanted, Func<StudioEvent, Task> handler, int capacity = 1024) =>
        Add(new Subscription(this, wanted, handler, capacity));

    /// <summary>Calls <paramref name="handler"/> for every event that <paramref name="wanted"/> accepts, none ever dropped (a recorder).</summary>
    public IDisposable SubscribeDurable(Func<StudioEvent, bool> wanted, Func<StudioEvent, Task> handler) =>
        Add(new Subscription(this, wanted, handler, null));

    private Subscription Add(Subscription s)
    {
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Add(s));
        return s;
    }

    private void Remove(Subscription s) => ImmutableInterlocked.Update(ref _subscriptions, list => list.Remove(s));

    private sealed class Subscription : IDisposable
    {
        private readonly EventBus _bus;
        private readonly Func<StudioEvent, bool>? _wanted;
        private readonly Channel<StudioEvent> _queue;

        public Subscription(EventBus bus, Func<StudioEvent, bool>? wanted, Func<StudioEvent, Task> handler, int? capacity)
        {
            _bus = bus;
            _wanted = wanted;
            _queue = capacity is { } c
                ? Channel.CreateBounded<StudioEvent>(new BoundedChannelOptions(c) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true })
                : Channel.CreateUnbounded<StudioEvent>(new UnboundedChannelOptions { SingleReader = true });
            _ = Task.Run(() => DrainAsync(handler));
        }

        public void Offer(StudioEvent evt)
        {
            if (_wanted is null || _wanted(evt)) _queue.Writer.TryWrite(evt);
        }

        private async Task DrainAsync(Func<StudioEvent, Task> handler)
        {
            await foreach (var evt in _queue.Reader.ReadAllAsync())
            {
                try { await handler(evt); }
                catch (Exception ex) { _bus._logger.LogWarning(ex, "An event subscriber failed on {EventType}", evt.Type); }
            }
        }

        public void Dispose()
        {
            _bus.Remove(this);
            _queue.Writer.TryComplete();
        }
    }
}
