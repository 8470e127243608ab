namespace ComfyStudio.Services.Downloads;

/// <summary>At most <see cref="Limit"/> holders at once, first come first served; the limit can change while waiting.</summary>
public sealed class ConcurrencyGate(int limit)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiting = new();
    private int _limit = Math.Max(1, limit);
    private int _inside;

    public int Limit { get { lock (_lock) return _limit; } }
    public int Inside { get { lock (_lock) return _inside; } }

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_inside < _limit && _waiting.Count == 0)
            {
                _inside++;
                return new Slot(this);
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast(waiter);
        }
        try
        {
            await waiter.Task.WaitAsync(ct);
            return new Slot(this);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null) _waiting.Remove(node);
                else if (waiter.Task.IsCompletedSuccessfully) { _inside--; Admit(); } // admitted just as it was cancelled
            }
            throw;
        }
    }

    public void SetLimit(int limit)
    {
        lock (_lock)
        {
            _limit = Math.Max(1, limit);
            Admit();
        }
    }

    private void Leave()
    {
        lock (_lock)
        {
            _inside--;
            Admit();
        }
    }

    private void Admit()
    {
        while (_inside < _limit && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            _inside++;
            first.Value.TrySetResult();
        }
    }

    private sealed class Slot(ConcurrencyGate gate) : IDisposable
    {
        private int _left;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) gate.Leave();
        }
    }
}
