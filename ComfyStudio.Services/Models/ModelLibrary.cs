using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;
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
/// is comes from its header, read once per (path, size, time) and kept in the <c>model_files</c> index.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; a SemaphoreSlim without a wait handle holds nothing to release")]
public sealed class ModelLibrary(IOptions<StudioOptions> options, ModelFolder models, PresetStates presets, DownloadEngine engine,
    IDbContextFactory<StudioDbContext> dbFactory, ILogger<ModelLibrary> logger)
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
        if (deleted.Count > 0)
        {
            await engine.ForgetFilesAsync(deleted, ct);
            Invalidate();
        }
        if (deleted.Count == 0 && missing > 0 && missing == paths.Distinct(StringComparer.Ordinal).Count())
            throw new Errors.StudioException(Errors.ErrorCodes.ModelNotFound, paths.Count == 1 ? $"No model '{paths[0]}'" : "None of these models exists",
                new Dictionary<string, object?> { ["paths"] = paths });
        foreach (var p in deleted) logger.LogInformation("Deleted model {Path}", p);
        return new ModelDeletion(deleted, freed, [.. errors.Select(e => new ModelDeletion.Refusal(e.Path, e.Error))]);
    }


    /// <summary>A listing older than this is rescanned even without a sign of change (a missed file-system event).</summary>
    public static readonly TimeSpan MaxIndexAge = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _scanning = new(1, 1);
    private volatile bool _dirty = true;
    private DateTime _scannedAt = DateTime.MinValue;

    /// <summary>Something under the roots changed (a watcher event, a download finished, a delete): the next listing rescans.</summary>
    public void Invalidate() => _dirty = true;

    /// <summary>Every model file, by path, from the index (rescanned first when something changed).</summary>
    public async Task<IReadOnlyList<ModelFile>> ListAsync(CancellationToken ct = default)
    {
        await FreshAsync(ct);
        var usedBy = await PresetsByPathAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ModelFiles.AsNoTracking().OrderBy(r => r.Path).ToListAsync(ct);
        return [.. rows.Select(r => ToFile(r, usedBy))];
    }

    /// <summary>
    /// One page of the index, filtered by type and by a text in the path, with how many match and their total size:
    /// filtered, counted and paged in SQLite, so a page costs the same with 100 files or 10,000.
    /// </summary>
    public async Task<(IReadOnlyList<ModelFile> Items, int Total, long TotalBytes)> PageAsync(string? typeId, string? search, Paging.PageRequest page,
        CancellationToken ct = default)
    {
        await FreshAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.ModelFiles.AsNoTracking();
        if (typeId is not null) query = query.Where(r => r.Type == typeId);
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = "%" + search.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(r => EF.Functions.Like(r.Path, pattern, "\\"));
        }
        var total = await query.CountAsync(ct);
        var bytes = total == 0 ? 0 : await query.SumAsync(r => r.Size, ct);
        var rows = await query.OrderBy(r => r.Path).Skip(page.Skip).Take(page.PerPage).ToListAsync(ct);
        var usedBy = rows.Count == 0 ? [] : await PresetsByPathAsync(ct);
        return ([.. rows.Select(r => ToFile(r, usedBy))], total, bytes);
    }

    private static ModelFile ToFile(ModelFileRecord r, Dictionary<string, IReadOnlyList<string>> usedBy) => new(
        r.Path, r.Type, r.Size, DateTime.SpecifyKind(r.Modified, DateTimeKind.Utc), new ModelInspection(r.Format, r.Architecture, r.BaseModel, r.Problem, r.MayRunCode),
        r.Root, r.FullPath, r.Root == ModelFile.MainRoot && usedBy.TryGetValue(r.Path, out var users) ? users : []);

    /// <summary>
    /// Brings the index in line with the disk: a file whose size and time are unchanged is kept as it was; a new or
    /// changed one has its header read again; a file gone leaves the index. Answers how many files were read again.
    /// </summary>
    public async Task<(int Files, int Reread)> RescanAsync(CancellationToken ct = default)
    {
        await _scanning.WaitAsync(ct);
        try
        {
            _dirty = false; // a change during the walk marks it again
            var found = Walk(ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var known = await db.ModelFiles.ToDictionaryAsync(r => r.Path, StringComparer.Ordinal, ct);
            var reread = 0;
            var now = DateTime.UtcNow;
            foreach (var f in found.Values)
            {
                if (known.Remove(f.Path, out var row) && row.Size == f.Size && row.Modified == f.Modified && row.FullPath == f.FullPath) continue;
                var inspection = Inspect(f.Real);
                reread++;
                if (row is null)
                {
                    row = new ModelFileRecord { Path = f.Path, Root = f.Root, Type = f.Type, FullPath = f.FullPath };
                    db.ModelFiles.Add(row);
                }
                else db.ModelFiles.Attach(row);
                row.Root = f.Root;
                row.Type = f.Type;
                row.FullPath = f.FullPath;
                row.Size = f.Size;
                row.Modified = f.Modified;
                row.Format = inspection.Format;
                row.Architecture = inspection.Architecture;
                row.BaseModel = inspection.BaseModel;
                row.Problem = inspection.Problem;
                row.MayRunCode = inspection.MayRunCode;
                row.IndexedAt = now;
            }
            db.ModelFiles.RemoveRange(known.Values); // gone from the disk
            await db.SaveChangesAsync(ct);
            _scannedAt = DateTime.UtcNow;
            return (found.Count, reread);
        }
        catch
        {
            _dirty = true;
            throw;
        }
        finally
        {
            _scanning.Release();
        }
    }

    private sealed record Found(string Path, string Root, string Type, string FullPath, string Real, long Size, DateTime Modified);

    private Dictionary<string, Found> Walk(CancellationToken ct)
    {
        var roots = Roots();
        // Links are followed while they stay inside the models folder or a folder the extra roots name.
        var realRoots = RootFolders(roots).Where(Directory.Exists).Select(ModelFolder.RealPath).Distinct(StringComparer.Ordinal).ToList();
        var files = new Dictionary<string, Found>(StringComparer.Ordinal);
        foreach (var root in roots)
        foreach (var (typeId, folder) in root.Folders)
        {
            var type = ModelType.Find(typeId);
            if (!Directory.Exists(folder)) continue;
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFiles(folder, "*", new EnumerationOptions
                {
                    RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden, MaxRecursionDepth = 16,
                });
            }
            catch (IOException) { continue; }
            foreach (var full in entries)
            {
                ct.ThrowIfCancellationRequested();
                var name = System.IO.Path.GetFileName(full);
                if (type is not null ? !type.Lists(name) : !ModelType.PtExtensions.Contains(System.IO.Path.GetExtension(name).ToLowerInvariant())) continue;
                string real;
                FileInfo info;
                try
                {
                    real = ModelFolder.RealPath(full);
                    if (!realRoots.Any(r => real == r || real.StartsWith(r + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))) continue; // a link out
                    info = new FileInfo(real);
                    if (!info.Exists) continue;
                }
                catch (IOException) { continue; }
                var relative = System.IO.Path.GetRelativePath(folder, full).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                var path = root.Name == ModelFile.MainRoot ? System.IO.Path.GetFileName(folder) + "/" + relative : $"{root.Name}:{type?.Id ?? typeId}/{relative}";
                files.TryAdd(path, new Found(path, root.Name, type?.Id ?? typeId, full, real, info.Length, info.LastWriteTimeUtc));
            }
        }
        return files;
    }

    private static ModelInspection Inspect(string real)
    {
        try
        {
            return ModelFileInspector.Inspect(real);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ModelInspection(ModelFormats.Unknown, null, null, "the file cannot be read: " + e.Message);
        }
    }

    /// <summary>
    /// Files and bytes per top folder of the models folder, from the index (every folder there, empty ones too; links
    /// to folders are not folders of its own).
    /// </summary>
    public async Task<IReadOnlyList<ModelFolderFigures>> FolderFiguresAsync(CancellationToken ct = default)
    {
        var files = (await ListAsync(ct)).Where(f => f.InModelsFolder).ToList();
        var root = models.Root;
        if (!Directory.Exists(root)) return [];
        return [.. new DirectoryInfo(root).EnumerateDirectories()
            .Where(d => !d.Attributes.HasFlag(FileAttributes.ReparsePoint))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d =>
            {
                var inFolder = files.Where(f => f.Path.StartsWith(d.Name + "/", StringComparison.Ordinal)).ToList();
                return new ModelFolderFigures(d.Name, inFolder.Count, inFolder.Sum(f => f.Size));
            })];
    }

    /// <summary>
    /// The quick check: the header's verdict, and the size against what the download engine verified or the registry
    /// gives exactly (a file cut short or grown since). No hashing: milliseconds per file.
    /// </summary>
    public async Task<IReadOnlyList<(string Path, string Error)>> QuickCheckAsync(IReadOnlyList<ModelFile> files, CancellationToken ct = default)
    {
        var known = await KnownAsync([.. files.Where(f => f.InModelsFolder).Select(f => f.Path)], ct);
        var errors = new List<(string, string)>();
        foreach (var f in files)
        {
            if (!f.Inspection.Valid) errors.Add((f.Path, f.Inspection.Problem!));
            else if (known.TryGetValue(f.Path, out var want) && want.Size is { } size && size != f.Size)
                errors.Add((f.Path, $"the file has {f.Size:N0} bytes, {size:N0} were downloaded or are in the registry"));
        }
        return errors;
    }

    /// <summary>
    /// What is known of each of <paramref name="paths"/> (models-relative): the size and SHA-256 the download engine
    /// verified it at, else the exact size and hash the registry gives. The quick and the full check compare against it.
    /// </summary>
    public async Task<Dictionary<string, (long? Size, string? Sha256)>> KnownAsync(IReadOnlyCollection<string> paths, CancellationToken ct = default)
    {
        var known = new Dictionary<string, (long? Size, string? Sha256)>(StringComparer.Ordinal);
        foreach (var s in (await presets.ReadAllAsync(withDownloads: false, ct: ct)).Values)
        foreach (var f in s.Files)
            if (f.Path is not null && (f.File.ExactSize || f.File.Sha256 is not null))
                known.TryAdd(f.Path, (f.File.ExactSize ? f.File.SizeBytes : null, f.File.Sha256?.ToLowerInvariant()));
        foreach (var (path, record) in await engine.FilesAsync(paths, ct))
            if (record.Status == DownloadFileStates.Completed)
                known[path] = (record.TotalBytes, record.Sha256?.ToLowerInvariant() ?? known.GetValueOrDefault(path).Sha256);
        return known;
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

    /// <summary>Rescans first when something changed or the index is older than <see cref="MaxIndexAge"/>.</summary>
    private Task FreshAsync(CancellationToken ct) =>
        _dirty || DateTime.UtcNow - _scannedAt > MaxIndexAge ? RescanAsync(ct) : Task.CompletedTask;

    /// <summary>The folders files are read from: the models folder itself, and each folder an extra root names.</summary>
    public IReadOnlyList<string> RootFolders() => RootFolders(Roots());

    private static List<string> RootFolders(IEnumerable<(string Name, string Path, IReadOnlyList<(string Type, string Folder)> Folders)> roots) =>
        [.. roots.SelectMany(r => r.Name == ModelFile.MainRoot ? [r.Path] : r.Folders.Select(f => f.Folder)).Distinct(StringComparer.Ordinal)];

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
