using System.Text.Json.Nodes;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Models;
using ComfyStudio.Services.Presets;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Readiness: the model files a workflow loads (the loaders' inputs: <c>ckpt_name</c>, <c>lora_name</c>,
/// <c>vae_name</c>, <c>unet_name</c>, <c>clip_name</c>…; and the UI format's <c>models</c> lists with their URLs),
/// checked against the models index, each missing one with the presets whose files it is.
/// </summary>
public sealed class WorkflowModels(ModelLibrary models, PresetStates presets, NodeCatalog nodes, PresetInstaller installer, DownloadEngine engine)
{
    /// <summary>Loader inputs and the ComfyUI folder their value names a file of.</summary>
    private static readonly Dictionary<string, string> ByInput = new(StringComparer.Ordinal)
    {
        ["ckpt_name"] = "checkpoints", ["lora_name"] = "loras", ["vae_name"] = "vae", ["unet_name"] = "diffusion_models",
        ["clip_name"] = "text_encoders", ["clip_name1"] = "text_encoders", ["clip_name2"] = "text_encoders", ["clip_name3"] = "text_encoders",
        ["clip_name4"] = "text_encoders", ["control_net_name"] = "controlnet", ["upscale_model"] = "upscale_models",
        ["style_model_name"] = "style_models", ["gligen_name"] = "gligen", ["hypernetwork_name"] = "hypernetworks",
    };

    /// <summary>Classes whose input names a file of another folder than the input's usual one.</summary>
    private static readonly Dictionary<(string Class, string Input), string> ByClass = new()
    {
        [("CLIPVisionLoader", "clip_name")] = "clip_vision",
        [("UpscaleModelLoader", "model_name")] = "upscale_models",
    };

    /// <summary>What readiness compares against, read once for many workflows: the files on disk, who provides which, ComfyUI's classes.</summary>
    public sealed record Snapshot(HashSet<(string Folder, string Name)> OnDisk, Dictionary<(string Folder, string Name), IReadOnlyList<string>> Providers,
        NodeDefinitions Known);

    public async Task<Snapshot> SnapshotAsync(CancellationToken ct = default)
    {
        var onDisk = await OnDiskSetAsync(ct);
        var providers = (await presets.ReadAllAsync(withDownloads: false, ct: ct)).Values
            .SelectMany(s => s.Files.Where(f => f.Path is not null).Select(f => (Key: Key(f.Path!), s.Preset.Id)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(x => x.Id).Distinct()]);
        return new Snapshot(onDisk, providers, await nodes.GetAsync(ct));
    }

    /// <summary>The ComfyUI folder a loader's input names a file of (<c>checkpoints</c> for <c>ckpt_name</c>), or null when it names none.</summary>
    public static string? FolderOf(string cls, string input) =>
        ByClass.TryGetValue((cls, input), out var folder) || ByInput.TryGetValue(input, out folder) ? folder : null;

    /// <summary>Whether the file a loader's input names is on disk now (the models index), for <see cref="WorkflowValidator.Validate"/>.</summary>
    public async Task<Func<string, string, string, bool>> OnDiskAsync(CancellationToken ct = default)
    {
        var onDisk = await OnDiskSetAsync(ct);
        return (cls, input, name) => FolderOf(cls, input) is { } folder && onDisk.Contains((ModelType.Find(folder)?.Id ?? folder, Normal(name)));
    }

    public async Task<WorkflowReadiness> CheckAsync(JsonObject workflow, WorkflowConversion converted, CancellationToken ct = default) =>
        Check(workflow, converted, await SnapshotAsync(ct));

    /// <summary>The readiness of several workflows (a list page) by id, against one snapshot.</summary>
    public async Task<IReadOnlyDictionary<string, WorkflowReadiness>> CheckAllAsync(IReadOnlyDictionary<string, (WorkflowEntry Entry, JsonObject Workflow)> graphs,
        CancellationToken ct = default)
    {
        var snapshot = await SnapshotAsync(ct);
        return graphs.ToDictionary(g => g.Key, g => Check(g.Value.Workflow, WorkflowLibrary.ToApi(g.Value.Workflow, snapshot.Known), snapshot), StringComparer.Ordinal);
    }

    public static WorkflowReadiness Check(JsonObject workflow, WorkflowConversion converted, Snapshot snapshot)
    {
        var wanted = new List<(string Folder, string Name, string? Node, string? Input, string? Url)>();
        if (converted.Prompt is { } prompt)
            foreach (var (id, node) in prompt)
            {
                var cls = node?["class_type"]?.ToString() ?? "";
                foreach (var (input, value) in node?["inputs"] as JsonObject ?? [])
                    if (value is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0 && FolderOf(cls, input) is { } folder)
                        wanted.Add((folder, Normal(name), id, input, null));
            }
        // The UI format names its models, with where to get them: at the top and on each node (properties.models).
        var listed = (workflow["models"] as JsonArray ?? []).Concat((workflow["nodes"] as JsonArray ?? []).SelectMany(n => n?["properties"]?["models"] as JsonArray ?? []));
        foreach (var m in listed.OfType<JsonObject>())
            if (m["name"]?.ToString() is { Length: > 0 } name && m["directory"]?.ToString() is { Length: > 0 } dir)
            {
                var folder = ModelType.Find(dir)?.Id ?? dir;
                var index = wanted.FindIndex(w => w.Folder == folder && w.Name == Normal(name));
                if (index >= 0) wanted[index] = wanted[index] with { Url = m["url"]?.ToString() };
                else wanted.Add((folder, Normal(name), null, null, m["url"]?.ToString()));
            }

        var (onDisk, providers, known) = snapshot;
        var found = wanted.DistinctBy(w => (w.Folder, w.Name)).Select(w =>
        {
            var folder = ModelType.Find(w.Folder)?.Id ?? w.Folder;
            return new WorkflowModel(folder, w.Name, w.Node, w.Input, onDisk.Contains((folder, w.Name)),
                providers.GetValueOrDefault((folder, w.Name)) ?? [], w.Url);
        }).ToList();

        var missingNodes = converted.Errors.Where(e => e.Type == "missing_node_type" && e.ClassType is not null).Select(e => e.ClassType!)
            .Concat(known.Classes.Count == 0 || converted.Prompt is null ? []
                : converted.Prompt.Select(kv => kv.Value?["class_type"]?.ToString()).OfType<string>().Where(c => known.Find(c) is null))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return new WorkflowReadiness(found.All(m => m.Present) && missingNodes.Count == 0, found, missingNodes);
    }

    /// <summary>The model files on disk by ComfyUI folder, each by its name inside it (what a loader's list offers).</summary>
    public async Task<IReadOnlyDictionary<string, HashSet<string>>> FilesAsync(CancellationToken ct = default) =>
        (await OnDiskSetAsync(ct)).GroupBy(f => f.Folder).ToDictionary(g => g.Key, g => g.Select(f => f.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    private async Task<HashSet<(string Folder, string Name)>> OnDiskSetAsync(CancellationToken ct) =>
        (await models.PathsAsync(ct)).Select(f => (f.Type, Relative(f.Path))).ToHashSet();

    private static string Normal(string name) => name.Replace('\\', '/').TrimStart('/');

    /// <summary>A models-index path without its root and folder: <c>checkpoints/a/b.safetensors</c> → <c>a/b.safetensors</c>.</summary>
    private static string Relative(string path)
    {
        var rootless = path.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? path[(colon + 1)..] : path;
        return rootless[(rootless.IndexOf('/', StringComparison.Ordinal) + 1)..];
    }

    private static (string Folder, string Name) Key(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return ("", path);
        var folder = path[..slash];
        return (ModelType.Find(folder)?.Id ?? folder, path[(slash + 1)..]);
    }

    /// <summary>
    /// "Install what is missing": each preset that provides a missing file is installed (the one providing the most
    /// first, so a file is asked for once), each file only the workflow's own URL provides is downloaded; what neither
    /// provides is listed. The workflow turns ready when those verify.
    /// </summary>
    public async Task<WorkflowInstall> InstallMissingAsync(string workflowName, WorkflowReadiness readiness, CancellationToken ct = default)
    {
        var missing = readiness.Missing.ToList();
        var presetsStarted = new List<PresetInstallStarted>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        while (missing.Where(m => !covered.Contains(m.Path)).SelectMany(m => m.Presets).GroupBy(p => p).OrderByDescending(g => g.Count()).FirstOrDefault()?.Key is { } preset)
        {
            presetsStarted.Add(await installer.InstallAsync(preset, ct: ct));
            foreach (var m in missing.Where(m => m.Presets.Contains(preset))) covered.Add(m.Path);
        }
        var byUrl = missing.Where(m => !covered.Contains(m.Path) && m.Url is { Length: > 0 }).ToList();
        string? downloadId = null;
        if (byUrl.Count > 0)
        {
            var view = await engine.CreateAsync(new DownloadRequest($"{workflowName}: models", [.. byUrl.Select(m => new DownloadFileRequest(m.Url!, m.Path))]), ct: ct);
            downloadId = view.Id;
            foreach (var m in byUrl) covered.Add(m.Path);
        }
        return new WorkflowInstall(presetsStarted, downloadId, [.. missing.Where(m => !covered.Contains(m.Path)).Select(m => m.Path)], readiness.MissingNodes);
    }
}

