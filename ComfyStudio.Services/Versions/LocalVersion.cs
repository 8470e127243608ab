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

    public VersionManifest Read()
    {
        foreach (var path in new[] { DeployedPath, BuiltInPath })
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
