using ComfyStudio.Services.Presets;

namespace ComfyStudio.Web.Api.Presets;

/// <summary><c>GET /api/presets/updates</c>: installed presets whose registry version is newer.</summary>
public sealed record PresetUpdateList(int Total, IReadOnlyList<PresetUpdateList.Update> Updates)
{
    public sealed record Update(string Id, string Name, string LocalVersion, string RemoteVersion, string Category, string Type, bool Installed);

    public static PresetUpdateList From(IReadOnlyList<PresetUpdate> updates) => new(updates.Count,
        [.. updates.Select(u => new Update(u.Preset.Id, u.Preset.Name, u.LocalVersion, u.Preset.Version, u.Preset.Category, u.Preset.Type, u.Installed))]);
}
