using System.ComponentModel;
using ComfyStudio.Services.Configuration;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>
/// Syncs the preset catalog from <c>REGISTRY_URL</c> (<c>https://</c>, <c>file://</c> or a folder): everything is read
/// and parsed first; only a complete registry is written beside the old copy and swapped in by rename. A failed or
/// partial sync keeps the old catalog and says why. Runs daily as a Hangfire recurring job, and on demand.
/// </summary>
public sealed class RegistrySync(
    IOptions<StudioOptions> options, PresetCatalogStore store, IHttpClientFactory http, ILogger<RegistrySync> logger)
{
    public const string DefaultUrl = "https://raw.githubusercontent.com/zeroclue/comfyui-presets/main/";
    public const string RecurringJobId = "sync-preset-registry";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The registry's base: where <c>registry.json</c> and the presets' paths are read from.</summary>
    public string Source => SourceFor(options.Value.RegistryUrl);

    /// <summary>The registry's base for a <c>REGISTRY_URL</c> (the default registry when it is empty).</summary>
    public static string SourceFor(string? registryUrl)
    {
        var url = registryUrl?.Trim();
        if (string.IsNullOrEmpty(url)) return DefaultUrl;
        return url.EndsWith("registry.json", StringComparison.OrdinalIgnoreCase) ? url[..^"registry.json".Length] : url;
    }

    [DisplayName("Sync the preset registry")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await Gate.WaitAsync(ct);
        try
        {
            var source = Source;
            PresetCatalog catalog;
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                var read = Reader(source);
                catalog = await RegistryReader.ReadAsync(async (relative, c) =>
                {
                    var text = await read(relative, c);
                    files[relative] = text;
                    return text;
                }, ct);
            }
            catch (Exception e) when (e is FormatException or IOException or HttpRequestException or TaskCanceledException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
            {
                var reason = e is TaskCanceledException && !ct.IsCancellationRequested ? "the registry did not answer in time" : e.Message;
                store.RecordFailure(reason);
                logger.LogWarning("Preset registry sync from {Source} failed, keeping the current catalog: {Reason}", source, reason);
                throw new RegistrySyncException(reason, e);
            }
            Write(files);
            store.Replace(catalog, IndexOf(source));
            logger.LogInformation("Preset registry synced from {Source}: {Count} presets", source, catalog.Presets.Count);
            return catalog.Presets.Count;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Where <c>registry.json</c> was read: the URL, or the file in the folder.</summary>
    public static string IndexOf(string source) =>
        source.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"
            ? new Uri(new Uri(source.EndsWith('/') ? source : source + "/"), "registry.json").ToString()
            : Path.Combine(source, "registry.json");

    private Func<string, CancellationToken, Task<string>> Reader(string source)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var baseUri = new Uri(source.EndsWith('/') ? source : source + "/");
            var client = http.CreateClient(nameof(RegistrySync));
            return async (relative, ct) =>
            {
                using var response = await client.GetAsync(new Uri(baseUri, relative), ct);
                if (!response.IsSuccessStatusCode) throw new IOException($"{relative}: the registry answered {(int)response.StatusCode}");
                return await response.Content.ReadAsStringAsync(ct);
            };
        }
        var folder = uri is { IsFile: true } ? uri.LocalPath : source;
        return (relative, ct) => File.ReadAllTextAsync(Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar)), ct);
    }

    /// <summary>Writes the read files beside the synced copy and swaps them in by rename.</summary>
    private void Write(Dictionary<string, string> files)
    {
        var target = store.SyncedDir;
        var fresh = target + ".new-" + Guid.NewGuid().ToString("N")[..8];
        var old = target + ".old-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (relative, text) in files)
        {
            var path = Path.Combine(fresh, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(fresh, target);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }
}
