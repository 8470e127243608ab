using ComfyStudio.Services.Events;
using ComfyStudio.Services.Data;
using System.IO.Enumeration;
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
    IDbContextFactory<StudioDbContext> dbFactory, EventBus bus, ILogger<ModelLibrary> logger)
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
        ModelSort sort = ModelSort.Name, CancellationToken ct = default)
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
        var ordered = sort switch
        {
            ModelSort.Size => query.OrderByDescending(r => r.Size).ThenBy(r => r.Path),
            ModelSort.Date => query.OrderByDescending(r => r.Modified).ThenBy(r => r.Path),
            _ => query.OrderBy(r => r.Path),
        };
        var rows = await ordered.Skip(page.Skip).Take(page.PerPage).ToListAsync(ct);
        var usedBy = rows.Count == 0 ? [] : await PresetsByPathAsync(ct);
        return ([.. rows.Select(r => ToFile(r, usedBy))], total, bytes);
    }

    /// <summary>The type and path of every indexed file, without what presets use them: for lookups by name (a workflow's readiness).</summary>
    public async Task<IReadOnlyList<(string Type, string Path)>> PathsAsync(CancellationToken ct = default)
    {
        await FreshAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. (await db.ModelFiles.AsNoTracking().Select(r => new { r.Type, r.Path }).ToListAsync(ct)).Select(r => (r.Type, r.Path))];
    }

    /// <summary>Files and bytes per ComfyUI folder (type id), every root together: one grouped query of the index.</summary>
    public async Task<IReadOnlyDictionary<string, (int Count, long Bytes)>> TypeFiguresAsync(CancellationToken ct = default)
    {
        await FreshAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ModelFiles.AsNoTracking().GroupBy(r => r.Type)
            .Select(g => new { g.Key, Count = g.Count(), Bytes = g.Sum(r => r.Size) }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Key, r => (r.Count, r.Bytes), StringComparer.Ordinal);
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
            var known = await db.ModelFiles.AsNoTracking().ToDictionaryAsync(r => r.Path, StringComparer.Ordinal, ct); // only the changed rows get tracked
            var now = DateTime.UtcNow;
            var changed = new List<(Found File, ModelFileRecord? Row)>();
            foreach (var f in found.Values)
            {
                if (known.Remove(f.Path, out var row) && row.Size == f.Size && row.Modified == f.Modified && row.FullPath == f.FullPath) continue;
                changed.Add((f, row));
            }
            // Headers are a few small reads each: on a cold cache or a network volume the wait is the disk's, so several
            // run at once (a first scan of 10,000 files is bound by the latency, not by the CPU).
            var inspections = new ModelInspection[changed.Count];
            await Parallel.ForAsync(0, changed.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 2, 8), CancellationToken = ct },
                (i, _) => { inspections[i] = Inspect(changed[i].File.Real); return ValueTask.CompletedTask; });
            for (var i = 0; i < changed.Count; i++)
            {
                var (f, row) = changed[i];
                var inspection = inspections[i];
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
            if (changed.Count > 0 || known.Count > 0) bus.Publish(new ModelsIndexChanged(found.Count, changed.Count, known.Count));
            return (found.Count, changed.Count);
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
        bool Inside(string real) => realRoots.Any(r => real == r || real.StartsWith(r + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal));
        var files = new Dictionary<string, Found>(StringComparer.Ordinal);
        foreach (var root in roots)
        foreach (var (typeId, folder) in root.Folders)
        {
            var type = ModelType.Find(typeId);
            if (!Directory.Exists(folder)) continue;
            string realFolder;
            try { realFolder = ModelFolder.RealPath(folder); }
            catch (IOException) { continue; }
            if (!Inside(realFolder)) continue;
            var prefix = root.Name == ModelFile.MainRoot ? System.IO.Path.GetFileName(folder) + "/" : $"{root.Name}:{type?.Id ?? typeId}/";
            // The walk keeps each folder's real path: only an entry that is itself a link is resolved (one readlink chain),
            // not every file's every parent, which made a scan of 10,000 files cost 80,000 system calls.
            var pending = new Stack<(string Dir, string Real, string Relative, int Depth)>();
            pending.Push((folder, realFolder, "", 0));
            while (pending.TryPop(out var at))
            {
                ct.ThrowIfCancellationRequested();
                List<Entry> entries;
                try { entries = [.. new FileSystemEnumerable<Entry>(at.Dir, ToEntry, EntryOptions)]; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                foreach (var entry in entries)
                {
                    var relative = at.Relative + entry.Name;
                    var full = System.IO.Path.Join(at.Dir, entry.Name);
                    var real = System.IO.Path.Join(at.Real, entry.Name);
                    if (entry.Link)
                    {
                        try { real = ModelFolder.RealPath(full); }
                        catch (IOException) { continue; }
                        if (!Inside(real)) continue; // a link out
                    }
                    if (entry.Directory)
                    {
                        if (at.Depth < 16) pending.Push((full, real, relative + "/", at.Depth + 1));
                        continue;
                    }
                    if (type is not null ? !type.Lists(entry.Name) : !ModelType.PtExtensions.Contains(System.IO.Path.GetExtension(entry.Name).ToLowerInvariant())) continue;
                    var (size, modified) = (entry.Size, entry.Modified);
                    if (entry.Link)
                    {
                        var info = new FileInfo(real);
                        if (!info.Exists) continue;
                        (size, modified) = (info.Length, info.LastWriteTimeUtc);
                    }
                    var path = prefix + relative;
                    files.TryAdd(path, new Found(path, root.Name, type?.Id ?? typeId, full, real, size, modified));
                }
            }
        }
        return files;
    }

    private readonly record struct Entry(string Name, bool Directory, bool Link, long Size, DateTime Modified);

    private static readonly EnumerationOptions EntryOptions = new() { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden, RecurseSubdirectories = false };

    private static Entry ToEntry(ref FileSystemEntry e) => new(
        e.FileName.ToString(), e.IsDirectory, e.Attributes.HasFlag(FileAttributes.ReparsePoint), e.Length, e.LastWriteTimeUtc.UtcDateTime);

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
        var root = models.Root;
        if (!Directory.Exists(root)) return [];
        await FreshAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var files = await db.ModelFiles.AsNoTracking().Where(r => r.Root == ModelFile.MainRoot).Select(r => new { r.Path, r.Size }).ToListAsync(ct);
        var byFolder = files.GroupBy(f => f.Path[..Math.Max(0, f.Path.IndexOf('/', StringComparison.Ordinal))], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Bytes: g.Sum(f => f.Size)), StringComparer.Ordinal);
        return [.. new DirectoryInfo(root).EnumerateDirectories()
            .Where(d => !d.Attributes.HasFlag(FileAttributes.ReparsePoint))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => byFolder.TryGetValue(d.Name, out var n) ? new ModelFolderFigures(d.Name, n.Count, n.Bytes) : new ModelFolderFigures(d.Name, 0, 0))];
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
