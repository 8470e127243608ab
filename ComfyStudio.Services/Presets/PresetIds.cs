using System.Text.RegularExpressions;

namespace ComfyStudio.Services.Presets;

/// <summary>Preset ids in both styles: the registry's <c>wan-22-5b-tiv2</c> and the Dashboard API's <c>WAN_22_5B_TIV2</c>.</summary>
public static partial class PresetIds
{
    public static string Normalize(string id) => id.Trim().ToLowerInvariant().Replace('_', '-');

    public static bool IsValid(string id) => IdPattern().IsMatch(Normalize(id));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex IdPattern();
}
