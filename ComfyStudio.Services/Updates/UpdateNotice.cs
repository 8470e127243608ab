using System.Globalization;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// What the last check of the release repository found, and which components are newer there than here: the
/// dashboard's "update available" banner and the System page's remote column read it.
/// </summary>
public sealed class UpdateNotice(
    IOptions<StudioOptions> options, LocalVersion local, ComponentDeployer deployer, TimeProvider clock, ILogger<UpdateNotice> logger)
{
    private readonly Lock _lock = new();
    private RemoteCheck? _last;
    private bool _loaded;

    private string FilePath => Path.Combine(options.Value.StudioDir!, "remote_version.json");

    /// <summary>Raised when a check recorded a release or an update changed what is installed.</summary>
    public event Action? Changed;

    public RemoteCheck? Last
    {
        get
        {
            lock (_lock)
            {
                if (!_loaded) { _last = Load(); _loaded = true; }
                return _last;
            }
        }
    }

    /// <summary>Deployable components whose remote version is newer than the installed one.</summary>
    public IReadOnlyList<string> Available() => Last is { } last ? Newer(last.Remote, local.Read()) : [];

    /// <summary>Components whose version in <paramref name="remote"/> is greater than the installed one (a real update).</summary>
    public static IReadOnlyList<string> Newer(VersionManifest remote, VersionManifest installed) =>
        ReleaseComponents.Deployable
            .Where(c => remote.Component(c.Name) is { } r && ReleaseComponents.IsNewer(r.Version, installed.Component(c.Name)?.Version))
            .Select(c => c.Name).ToList();

    /// <summary>Components of <paramref name="remote"/> whose files are missing from disk (deployed again, at the same version).</summary>
    public IReadOnlyList<string> Missing(VersionManifest remote) =>
        ReleaseComponents.Deployable.Where(c => remote.Component(c.Name) is not null && deployer.IsMissing(c)).Select(c => c.Name).ToList();

    /// <summary>What an update deploys: the newer components and those missing from disk.</summary>
    public IReadOnlyList<string> ToDeploy(VersionManifest remote, VersionManifest installed) =>
        Newer(remote, installed).Union(Missing(remote)).ToList();

    /// <summary>Records a fetched release; true when its commit was not seen before.</summary>
    public bool Record(FetchedRelease release)
    {
        var check = new RemoteCheck(release.Manifest, release.Commit, clock.GetUtcNow().UtcDateTime);
        bool isNew;
        lock (_lock)
        {
            isNew = (_loaded ? _last : Load())?.Commit != release.Commit;
            _last = check;
            _loaded = true;
        }
        try
        {
            var json = release.Manifest.ToJson();
            json["_checked_at"] = ApiTime.Iso(check.CheckedAt);
            json["_commit"] = release.Commit;
            FileSystemSwap.WriteAtomically(FilePath, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        catch (IOException e)
        {
            logger.LogWarning("Could not save {Path}: {Reason}", FilePath, e.Message);
        }
        Changed?.Invoke();
        return isNew;
    }

    /// <summary>Tells listeners that the installed versions changed (after an update).</summary>
    public void Refresh() => Changed?.Invoke();

    private RemoteCheck? Load()
    {
        if (!File.Exists(FilePath)) return null;
        try
        {
            var text = File.ReadAllText(FilePath);
            var node = JsonNode.Parse(text) as JsonObject;
            var checkedAt = DateTime.TryParse(node?["_checked_at"]?.GetValue<string>(), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : DateTime.MinValue;
            return new RemoteCheck(VersionManifest.Parse(text), node?["_commit"]?.GetValue<string>() ?? "", checkedAt);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidOperationException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Ignoring {Path}: {Reason}", FilePath, e.Message);
            return null;
        }
    }
}
