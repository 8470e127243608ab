namespace ComfyStudio.Services.Downloads;

/// <summary>
/// At most <see cref="Limit"/> holders at once; waiters are let in by priority (higher first), first come first
/// served within one priority. The limit can change while waiting.
/// </summary>
public sealed class ConcurrencyGate(int limit)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(TaskCompletionSource Waiter, int Priority)> _waiting = new();
    private int _limit = Math.Max(1, limit);
    private int _inside;

    public int Limit { get { lock (_lock) return _limit; } }
    public int Inside { get { lock (_lock) return _inside; } }

    public async Task<IDisposable> EnterAsync(CancellationToken ct, int priority = 0)
    {
        TaskCompletionSource waiter;
        LinkedListNode<(TaskCompletionSource Waiter, int Priority)> node;
        lock (_lock)
        {
            if (_inside < _limit && _waiting.Count == 0)
            {
                _inside++;
                return new Slot(this);
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var before = _waiting.First;
            while (before is not null && before.Value.Priority >= priority) before = before.Next;
            node = before is null ? _waiting.AddLast((waiter, priority)) : _waiting.AddBefore(before, (waiter, priority));
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
            first.Value.Waiter.TrySetResult();
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
