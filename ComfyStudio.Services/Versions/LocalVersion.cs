using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Versions;

/// <summary>
/// The installed release's <c>version.json</c>: the deployed one in <c>STUDIO_DIR</c> when an update wrote it,
/// else the one shipped with the app. Read on demand, so a deploy shows at once.
/// </summary>
public sealed class LocalVersion(IOptions<StudioOptions> options, ILogger<LocalVersion> logger)
{
    public const string FileName = "version.json";

    /// <summary>The deployed manifest's path (written by the self-update).</summary>
    public string DeployedPath => Path.Combine(options.Value.StudioDir!, FileName);

    /// <summary>The manifest shipped beside the app.</summary>
    public static string BuiltInPath => Path.Combine(AppContext.BaseDirectory, FileName);

    public VersionManifest Read() => ReadFirst(DeployedPath, BuiltInPath);

    /// <summary>The manifest shipped with the running build.</summary>
    public VersionManifest ReadBuiltIn() => ReadFirst(BuiltInPath);

    /// <summary>
    /// The runtime this install has: <c>RUNTIME_VERSION</c> when the image sets it, else the runtime of the manifest
    /// shipped with the running build.
    /// </summary>
    public int Runtime => options.Value.RuntimeVersion > 0
        ? options.Value.RuntimeVersion
        : int.TryParse(ReadBuiltIn().Component("runtime")?.VersionText, out var n) ? n : 0;

    private VersionManifest ReadFirst(params string[] paths)
    {
        foreach (var path in paths)
        {
            if (!File.Exists(path)) continue;
            try
            {
                return VersionManifest.Parse(File.ReadAllText(path));
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Ignoring {Path}: {Reason}", path, e.Message);
            }
        }
        return new VersionManifest("", "", 0, new Dictionary<string, ComponentVersion>());
    }
}
