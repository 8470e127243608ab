using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Versions;

namespace ComfyStudio.Services.Updates;

/// <summary>The components an update knows, and how their versions compare.</summary>
public static class ReleaseComponents
{
    /// <summary>The image's own version: never deployed by an update (it needs a new Docker image).</summary>
    public const string Runtime = "runtime";
    public const string Backend = "backend";

    /// <summary>Deployable components in the order they are deployed.</summary>
    public static readonly IReadOnlyList<ReleaseComponent> Deployable =
    [
        new(Backend, true, "backend", "backend"),
        new("frontend", true, "frontend", "frontend"),
        new("models", false, "catalogs/models.json", "catalogs/models.json"),
        new("loras", false, "catalogs/loras.json", "catalogs/loras.json"),
        new("llm_models", false, "catalogs/llm.json", "catalogs/llm.json"),
        new("workflows", true, "workflows", "workflows/templates"),
        new("chrome_extension", true, "chrome-extension", "chrome-extension"),
    ];

    /// <summary>Names a <c>skip_components</c> list may hold.</summary>
    public static readonly IReadOnlyList<string> Names = [Runtime, .. Deployable.Select(c => c.Name)];

    /// <summary>
    /// What the System page's toggles start as (the issue's list, the original's <c>update_prefs.json</c>): runtime,
    /// backend, frontend, models and workflows; catalogs of LoRAs and LLMs and the Chrome extension are opt-in.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultSelection = [Runtime, Backend, "frontend", "models", "workflows"];

    public static ReleaseComponent? Find(string name) => Deployable.FirstOrDefault(c => c.Name == name);

    /// <summary>Checks a skip list: every name must be a component (400 otherwise).</summary>
    public static IReadOnlySet<string> ValidateSkipList(IEnumerable<string?>? names)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var n in names ?? [])
        {
            if (n is not null && Names.Contains(n)) set.Add(n);
            else unknown.Add(n is null ? "null" : n.Length > 40 ? n[..40] + "…" : n);
        }
        if (unknown.Count > 0)
            throw StudioException.Validation($"Unknown component(s) in skip_components: {string.Join(", ", unknown)}",
                new Dictionary<string, object?> { ["unknown"] = unknown, ["valid"] = Names.ToArray() });
        return set;
    }

    /// <summary>
    /// Whether the remote version of a component should replace the local one: missing locally or
    /// of another type (integer against string) → yes; integers compare as numbers; strings as dotted integers
    /// (<c>"11.10.0" &gt; "11.9.2"</c>); strings that are not dotted integers update when they differ.
    /// </summary>
    public static bool IsNewer(JsonNode? remote, JsonNode? local)
    {
        if (remote is null) return false;
        if (local is null) return true;
        var r = Kind(remote);
        var l = Kind(local);
        if (r.IsNumber && l.IsNumber) return r.Number > l.Number;
        // 3 and "3" (or "v3.0") are the same version: compared as dotted numbers whatever the JSON type.
        var rp = Dotted(r.Text);
        var lp = Dotted(l.Text);
        if (rp is null || lp is null) return !string.Equals(r.Text, l.Text, StringComparison.Ordinal);
        for (var i = 0; i < Math.Max(rp.Length, lp.Length); i++)
        {
            var a = i < rp.Length ? rp[i] : 0;
            var b = i < lp.Length ? lp[i] : 0;
            if (a != b) return a > b;
        }
        return false;
    }

    private static (bool IsNumber, long Number, string Text) Kind(JsonNode node) => node is JsonValue v && v.TryGetValue<long>(out var n)
        ? (true, n, n.ToString(CultureInfo.InvariantCulture))
        : (false, 0, node is JsonValue s && s.TryGetValue<string>(out var text) ? text.Trim().TrimStart('v', 'V') : node.ToJsonString());

    private static long[]? Dotted(string text)
    {
        var parts = text.Split('.');
        var numbers = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return null;
        return numbers;
    }
}
