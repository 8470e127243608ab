namespace ComfyStudio.Tests.Infrastructure;

/// <summary>A host whose configuration adds or overrides the given settings (environment-variable names, or sections as <c>A:B</c>).</summary>
public sealed class ConfiguredFactory(IReadOnlyDictionary<string, string?> extra) : StudioFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var all = new Dictionary<string, string?>(base.Settings);
            foreach (var (k, v) in extra) all[k] = v;
            return all;
        }
    }
}
