using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Events;

/// <summary>
/// The in-process event bus. <see cref="Publish"/> never blocks and never throws: each subscriber has its own
/// bounded queue drained on its own task, so a slow WebSocket or Blazor circuit cannot hold up a download.
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

    /// <summary>Calls <paramref name="handler"/> for every event of type <typeparamref name="T"/> until disposed.</summary>
    public IDisposable Subscribe<T>(Func<T, Task> handler, int capacity = 1024) where T : StudioEvent =>
        Add(new Subscription(this, e => e is T t ? handler(t) : Task.CompletedTask, capacity));

    /// <summary>Calls <paramref name="handler"/> for every event until disposed.</summary>
    public IDisposable Subscribe(Func<StudioEvent, Task> handler, int capacity = 1024) =>
        Add(new Subscription(this, handler, capacity));

    private Subscription Add(Subscription s)
    {
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Add(s));
        return s;
    }

    private void Remove(Subscription s) => ImmutableInterlocked.Update(ref _subscriptions, list => list.Remove(s));

    private sealed class Subscription : IDisposable
    {
        private readonly EventBus _bus;
        private readonly Channel<StudioEvent> _queue;

        public Subscription(EventBus bus, Func<StudioEvent, Task> handler, int capacity)
        {
            _bus = bus;
            _queue = Channel.CreateBounded<StudioEvent>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
            });
            _ = Task.Run(() => DrainAsync(handler));
        }

        public void Offer(StudioEvent evt) => _queue.Writer.TryWrite(evt);

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
