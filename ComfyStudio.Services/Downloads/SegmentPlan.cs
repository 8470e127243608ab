namespace ComfyStudio.Services.Downloads;

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
