using System.Globalization;
using System.Text;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// A set of byte ranges (start inclusive, end exclusive), kept sorted and merged: which parts of a <c>.part</c> file
/// are written. Persisted as <c>0-1048576,2097152-3145728</c>.
/// </summary>
public sealed class ByteRanges
{
    private readonly List<(long Start, long End)> _ranges = [];

    /// <summary>How many bytes the ranges cover.</summary>
    public long Covered => _ranges.Sum(r => r.End - r.Start);

    /// <summary>Where the written prefix ends (0 when byte 0 is not written).</summary>
    public long PrefixEnd => _ranges.Count > 0 && _ranges[0].Start == 0 ? _ranges[0].End : 0;

    public void Add(long start, long end)
    {
        if (end <= start) return;
        var i = 0;
        while (i < _ranges.Count && _ranges[i].End < start) i++;
        var (s, e) = (start, end);
        while (i < _ranges.Count && _ranges[i].Start <= e)
        {
            s = Math.Min(s, _ranges[i].Start);
            e = Math.Max(e, _ranges[i].End);
            _ranges.RemoveAt(i);
        }
        _ranges.Insert(i, (s, e));
    }

    /// <summary>The gaps in [0, <paramref name="total"/>).</summary>
    public IEnumerable<(long Start, long End)> Missing(long total)
    {
        var at = 0L;
        foreach (var (s, e) in _ranges)
        {
            if (s >= total) break;
            if (s > at) yield return (at, s);
            at = Math.Max(at, e);
        }
        if (at < total) yield return (at, total);
    }

    public override string ToString()
    {
        var b = new StringBuilder();
        foreach (var (s, e) in _ranges)
        {
            if (b.Length > 0) b.Append(',');
            b.Append(s.ToString(CultureInfo.InvariantCulture)).Append('-').Append(e.ToString(CultureInfo.InvariantCulture));
        }
        return b.ToString();
    }

    /// <summary>Reads the persisted form; anything malformed or beyond <paramref name="total"/> gives null (the record is not trusted).</summary>
    public static ByteRanges? Parse(string? text, long total)
    {
        var ranges = new ByteRanges();
        if (string.IsNullOrEmpty(text)) return ranges;
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-');
            if (dash <= 0
                || !long.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                || !long.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var e)
                || e <= s || e > total)
                return null;
            ranges.Add(s, e);
        }
        return ranges;
    }
}
