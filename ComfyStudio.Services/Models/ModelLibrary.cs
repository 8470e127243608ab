using System.Collections.Concurrent;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Presets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace ComfyStudio.Services.Models;

/// <summary>
/// The model files on disk, in ComfyUI's folders: <c>COMFYUI_DIR/models/&lt;folder&gt;</c> (the legacy names mapped, e.g.
/// <c>unet</c> → <c>diffusion_models</c>) and the roots an <c>extra_model_paths.yaml</c> beside ComfyUI adds (a shared
/// network volume is usually wired in so). Links are followed only while they stay inside those roots. What each file
/// is comes from its header, read once per (path, size, time).
/// </summary>
public sealed class ModelLibrary(IOptions<StudioOptions> options, ModelFolder models, PresetStates presets, DownloadEngine engine,
    ILogger<ModelLibrary> logger)
{
    /// <summary>
    /// Deletes model files (paths relative to the models folder, <c>checkpoints/x.safetensors</c>). Each path is refused
    /// on its own, with the reason, when it climbs out or leads out through a link, is not a model file, is being
    /// downloaded, or is a file an installed preset needs (unless <paramref name="force"/>: the preset then reads as
    /// not installed). The engine forgets what it downloaded there, so a later install fetches it again.
    /// </summary>
    public async Task<ModelDeletion> DeleteAsync(IReadOnlyList<string> paths, bool force, CancellationToken ct = default)
    {
        var errors = new List<(string Path, string Error)>();
        var all = await presets.ReadAllAsync(withDownloads: false, ct: ct);
        var installedBy = all.Values.Where(s => s.Installed).SelectMany(s => s.Files.Where(f => f.Path is not null && !f.File.Optional).Select(f => (f.Path!, s.Preset.Id)))
            .GroupBy(x => x.Item1, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.Id).ToList(), StringComparer.Ordinal);
        var downloading = (await engine.ListAsync(limit: 500, ct: ct)).Where(d => d.IsActive || d.Status == DownloadStates.Paused)
            .SelectMany(d => d.Files.Where(f => f.Status != DownloadFileStates.Completed).Select(f => f.Path)).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        long freed = 0;
        var missing = 0;
        foreach (var raw in paths.Distinct(StringComparer.Ordinal))
        {
            var path = ModelPaths.Normalize(raw, models.Root);
            if (path is null || raw.Contains(':'))
            {
                errors.Add((raw, "not a path inside the models folder (absolute, '..', a link out of it, or an extra root's file)"));
                continue;
            }
            var folder = path.Split('/')[0];
            if (ModelType.OfFolder(folder) is not { } type || !type.Lists(path))
            {
                errors.Add((raw, $"not a model file of one of ComfyUI's folders"));
                continue;
            }
            if (downloading.Contains(path))
            {
                errors.Add((raw, "it is being downloaded: cancel the download first"));
                continue;
            }
            if (installedBy.TryGetValue(path, out var needing) && !force)
            {
                errors.Add((raw, $"installed preset{(needing.Count == 1 ? "" : "s")} {string.Join(", ", needing)} need{(needing.Count == 1 ? "s" : "")} it (force: true deletes it anyway)"));
                continue;
            }
            long? size;
            try
            {
                size = models.Delete(path);
            }
            catch (UnsafePathException)
            {
                errors.Add((raw, "it leads out of the models folder through a link; nothing was deleted"));
                continue;
            }
            if (size is null)
            {
                missing++;
                errors.Add((raw, "no such file"));
                continue;
            }
            deleted.Add(path);
            freed += size.Value;
        }
        if (deleted.Count > 0) await engine.ForgetFilesAsync(deleted, ct);
        if (deleted.Count == 0 && missing > 0 && missing == paths.Distinct(StringComparer.Ordinal).Count())
            throw new Errors.StudioException(Errors.ErrorCodes.ModelNotFound, paths.Count == 1 ? $"No model '{paths[0]}'" : "None of these models exists",
                new Dictionary<string, object?> { ["paths"] = paths });
        foreach (var p in deleted) logger.LogInformation("Deleted model {Path}", p);
        return new ModelDeletion(deleted, freed, [.. errors.Select(e => new ModelDeletion.Refusal(e.Path, e.Error))]);
    }

    private readonly ConcurrentDictionary<string, (long Size, DateTime Modified, ModelInspection Inspection)> _inspected = new(StringComparer.Ordinal);

    /// <summary>Every model file, by path.</summary>
    public async Task<IReadOnlyList<ModelFile>> ListAsync(CancellationToken ct = default)
    {
        var usedBy = await PresetsByPathAsync(ct);
        var roots = Roots();
        // Links are followed while they stay inside the models folder or a folder the extra roots name.
        var realRoots = roots.SelectMany(r => r.Name == ModelFile.MainRoot ? [r.Path] : r.Folders.Select(f => f.Folder))
            .Where(Directory.Exists).Select(ModelFolder.RealPath).Distinct(StringComparer.Ordinal).ToList();
        var files = new Dictionary<string, ModelFile>(StringComparer.Ordinal);
        foreach (var root in roots)
        foreach (var (typeId, folder) in root.Folders)
        {
            var type = ModelType.Find(typeId);
            if (!Directory.Exists(folder)) continue;
            IEnumerable<string> found;
            try
            {
                found = Directory.EnumerateFiles(folder, "*", new EnumerationOptions
                {
                    RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden, MaxRecursionDepth = 16,
                });
            }
            catch (IOException) { continue; }
            foreach (var full in found)
            {
                ct.ThrowIfCancellationRequested();
                var name = System.IO.Path.GetFileName(full);
                if (type is not null && !type.Lists(name)) continue;
                if (type is null && !ModelType.PtExtensions.Contains(System.IO.Path.GetExtension(name).ToLowerInvariant())) continue;
                var real = ModelFolder.RealPath(full);
                if (!realRoots.Any(r => real == r || real.StartsWith(r + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))) continue; // a link out of the roots
                var relativeInFolder = System.IO.Path.GetRelativePath(folder, full).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                var folderName = root.Name == ModelFile.MainRoot ? System.IO.Path.GetFileName(folder) : (type?.Id ?? typeId);
                var path = (root.Name == ModelFile.MainRoot ? "" : root.Name + ":") + folderName + "/" + relativeInFolder;
                if (files.ContainsKey(path)) continue;
                FileInfo info;
                try { info = new FileInfo(real); if (!info.Exists) continue; }
                catch (IOException) { continue; }
                var key = root.Name == ModelFile.MainRoot ? folderName + "/" + relativeInFolder : path;
                files[path] = new ModelFile(path, type?.Id ?? typeId, info.Length, info.LastWriteTimeUtc, Inspect(real, info), root.Name, full,
                    root.Name == ModelFile.MainRoot && usedBy.TryGetValue(key, out var users) ? users : []);
            }
        }
        return [.. files.Values.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    private ModelInspection Inspect(string real, FileInfo info)
    {
        if (_inspected.TryGetValue(real, out var known) && known.Size == info.Length && known.Modified == info.LastWriteTimeUtc) return known.Inspection;
        ModelInspection inspection;
        try
        {
            inspection = ModelFileInspector.Inspect(real);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            inspection = new ModelInspection(ModelFormats.Unknown, null, null, "the file cannot be read: " + e.Message);
        }
        _inspected[real] = (info.Length, info.LastWriteTimeUtc, inspection);
        return inspection;
    }

    /// <summary>Preset ids by the models-relative path of each of their files.</summary>
    private async Task<Dictionary<string, IReadOnlyList<string>>> PresetsByPathAsync(CancellationToken ct)
    {
        var all = await presets.ReadAllAsync(withDownloads: false, ct: ct);
        return all.Values
            .SelectMany(s => s.Files.Where(f => f.Path is not null).Select(f => (f.Path!, s.Preset.Id, s.Installed)))
            .GroupBy(x => x.Item1, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.OrderByDescending(x => x.Installed).Select(x => x.Id).Distinct()], StringComparer.Ordinal);
    }

    /// <summary>The models folder, then the extra roots of <c>COMFYUI_DIR/extra_model_paths.yaml</c> in their order.</summary>
    public IReadOnlyList<(string Name, string Path, IReadOnlyList<(string Type, string Folder)> Folders)> Roots()
    {
        var main = models.Root;
        var roots = new List<(string, string, IReadOnlyList<(string, string)>)>
        {
            (ModelFile.MainRoot, main, [.. Directory.Exists(main)
                ? Directory.EnumerateDirectories(main).Select(d => (ModelType.OfFolder(System.IO.Path.GetFileName(d))?.Id ?? System.IO.Path.GetFileName(d), d))
                : []]),
        };
        roots.AddRange(ExtraRoots(System.IO.Path.Combine(options.Value.ComfyUiDir!, "extra_model_paths.yaml")));
        return roots;
    }

    /// <summary>
    /// ComfyUI's <c>extra_model_paths.yaml</c>: each top-level entry has an optional <c>base_path</c> and, per folder
    /// key, one path or several (one per line) relative to it. A file that cannot be read adds nothing, and says why.
    /// </summary>
    private List<(string, string, IReadOnlyList<(string, string)>)> ExtraRoots(string file)
    {
        var result = new List<(string, string, IReadOnlyList<(string, string)>)>();
        if (!File.Exists(file)) return result;
        try
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file)) yaml.Load(reader);
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode top) return result;
            foreach (var (nameNode, value) in top.Children)
            {
                if (nameNode is not YamlScalarNode { Value: { } name } || value is not YamlMappingNode config) continue;
                var basePath = config.Children.TryGetValue(new YamlScalarNode("base_path"), out var b) && b is YamlScalarNode { Value: { } bp }
                    ? ExpandHome(bp) : System.IO.Path.GetDirectoryName(file)!;
                var folders = new List<(string, string)>();
                foreach (var (keyNode, paths) in config.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key } || key is "base_path" or "is_default" || paths is not YamlScalarNode { Value: { } text }) continue;
                    foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        folders.Add((ModelType.Find(key)?.Id ?? key, System.IO.Path.GetFullPath(System.IO.Path.Combine(basePath, ExpandHome(line)))));
                }
                var root = folders.Count == 0 ? basePath : System.IO.Path.GetFullPath(basePath);
                result.Add((name, root, folders));
            }
        }
        catch (Exception e) when (e is IOException or YamlDotNet.Core.YamlException or UnauthorizedAccessException)
        {
            logger.LogWarning("extra_model_paths.yaml could not be read: {Reason}", e.Message);
        }
        return result;
    }

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;
}
