namespace ComfyStudio.Services.Presets;

/// <summary>Orders versions like <c>1.0.0</c>, <c>1.10.0</c>, <c>2.0.0-beta</c>: numeric parts as numbers, others as text.</summary>
public static class VersionOrder
{
    public static int Compare(string a, string b)
    {
        var x = a.Trim().TrimStart('v', 'V').Split('.', '-', '+');
        var y = b.Trim().TrimStart('v', 'V').Split('.', '-', '+');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i] : "0";
            var q = i < y.Length ? y[i] : "0";
            var c = long.TryParse(p, out var m) && long.TryParse(q, out var n) ? m.CompareTo(n) : string.CompareOrdinal(p, q);
            if (c != 0) return c;
        }
        return 0;
    }
}
