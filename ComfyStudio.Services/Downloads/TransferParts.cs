using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace ComfyStudio.Services.Downloads;

/// <summary>A span of the file one connection is fetching: <c>[Position, End)</c> is still to come.</summary>
internal sealed class Segment(long start, long end)
{
    public long Position = start;
    public long End = end;
}

/// <summary>
/// The work of a ranged download: chunks handed out lowest first, and — when none are left — the running segment with
/// the most left is split in two so that an idle connection takes its second half: no connection idles at the end.
/// </summary>
internal sealed class SegmentPlan
{
    private readonly Lock _lock = new();
    private readonly Queue<(long Start, long End)> _pending = new();
    private readonly List<Segment> _active = [];
    private readonly long _minSplit;

    public SegmentPlan(IEnumerable<(long Start, long End)> missing, long chunk, long minSplit)
    {
        _minSplit = Math.Max(1, minSplit);
        foreach (var (s, e) in missing)
            for (var at = s; at < e; at += chunk)
                _pending.Enqueue((at, Math.Min(e, at + chunk)));
    }

    public int PendingChunks { get { lock (_lock) return _pending.Count; } }

    public Segment? Take()
    {
        lock (_lock)
        {
            if (_pending.TryDequeue(out var next))
            {
                var segment = new Segment(next.Start, next.End);
                _active.Add(segment);
                return segment;
            }
            var largest = _active.MaxBy(a => a.End - a.Position);
            if (largest is null || largest.End - largest.Position < 2 * _minSplit) return null;
            var mid = largest.Position + (largest.End - largest.Position) / 2;
            var stolen = new Segment(mid, largest.End);
            largest.End = mid;
            _active.Add(stolen);
            return stolen;
        }
    }

    /// <summary>Claims up to <paramref name="available"/> bytes at the segment's position; 0 when its end is reached.</summary>
    public (long Offset, int Count) Reserve(Segment segment, int available)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(available, segment.End - segment.Position);
            if (count <= 0) return (segment.Position, 0);
            var offset = segment.Position;
            segment.Position += count;
            return (offset, count);
        }
    }

    public (long From, long To) Remaining(Segment segment)
    {
        lock (_lock) return (segment.Position, segment.End);
    }

    /// <summary>True (and the segment retired) when nothing of it is left.</summary>
    public bool Done(Segment segment)
    {
        lock (_lock)
        {
            if (segment.Position < segment.End) return false;
            _active.Remove(segment);
            return true;
        }
    }
}

/// <summary>
/// SHA-256 computed while the download runs: a cursor that hashes the written prefix of the <c>.part</c> as it grows
/// (the bytes are still in the page cache), so that verifying at the end only reads what came last.
/// </summary>
internal sealed class HashCursor : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SafeFileHandle _file;
    private readonly Func<long> _prefixEnd;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private readonly Task _loop;
    private long _hashed;

    public HashCursor(SafeFileHandle file, Func<long> prefixEnd)
    {
        _file = file;
        _prefixEnd = prefixEnd;
        _loop = Task.Run(FollowAsync);
    }

    /// <summary>Tells the cursor the prefix may have grown.</summary>
    public void Poke()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    private async Task FollowAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await HashUpToAsync(_prefixEnd(), _stop.Token);
                await _signal.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task HashUpToAsync(long end, CancellationToken ct)
    {
        while (_hashed < end)
        {
            var n = await RandomAccess.ReadAsync(_file, _buffer.AsMemory(0, (int)Math.Min(_buffer.Length, end - _hashed)), _hashed, ct);
            if (n == 0) break;
            _sha.AppendData(_buffer, 0, n);
            Interlocked.Add(ref _hashed, n);
        }
    }

    /// <summary>Hashes what is left up to <paramref name="total"/> and answers the hash (lowercase hex).</summary>
    public async Task<string> FinishAsync(long total, CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
        await HashUpToAsync(total, ct);
        if (_hashed != total) throw new IOException($"the .part holds {_hashed} of {total} bytes");
        return Convert.ToHexStringLower(_sha.GetHashAndReset());
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _sha.Dispose();
        _signal.Dispose();
        _stop.Dispose();
    }
}
