using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Presets;
using ComfyStudio.Services.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// The workflows the studio knows: the templates (a self-update's <c>STUDIO_DIR/workflows/templates</c>, then the
/// preset registry's <c>workflows/</c>, synced or shipped), read-only, and the user's own in
/// <c>STUDIO_DIR/workflows/user/&lt;id&gt;.json</c>, written atomically, a new name never replacing another file. A
/// workflow is kept in the format it came in (API or UI), its name and category beside the graph: <c>_meta</c> in the
/// API format (as the registry's templates carry it), <c>extra.studio</c> in the UI format, so the file still opens in
/// ComfyUI.
/// </summary>
public sealed partial class WorkflowLibrary(IOptions<StudioOptions> options, PresetCatalogStore registry, NodeCatalog nodes, WorkflowModels models, EventBus bus,
    ILogger<WorkflowLibrary> logger)
{
    private readonly Lock _writing = new();

    /// <summary>Each file's entry by its path, kept while its time and size stay the same: a listing stats the files instead of parsing each.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime Modified, long Length, WorkflowEntry? Entry)> _described =
        new(StringComparer.Ordinal);

    private string StudioDir => options.Value.StudioDir!;
    public string UserDir => Path.Combine(StudioDir, "workflows", "user");
    private string TemplatesDir => Path.Combine(StudioDir, "workflows", "templates");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
    private static partial Regex IdPattern();

    /// <summary>Every workflow, templates first, filtered by category (exact, any case) and a text in the name or description.</summary>
    public IReadOnlyList<WorkflowEntry> List(string? category = null, string? search = null) =>
        [.. All().Select(w => w.Entry)
            .Where(e => category is null || string.Equals(e.Category, category, StringComparison.OrdinalIgnoreCase))
            .Where(e => search is null || e.Name.Contains(search, StringComparison.OrdinalIgnoreCase) || e.Id.Contains(search, StringComparison.OrdinalIgnoreCase)
                        || (e.Description?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderBy(e => e.Template ? 0 : 1).ThenBy(e => e.Category, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>One workflow with its graph as stored; WORKFLOW not found is a 404.</summary>
    public (WorkflowEntry Entry, JsonObject Workflow) Get(string id)
    {
        CheckId(id);
        return Graphs([id]).TryGetValue(id, out var found) ? found : throw StudioException.NotFound($"Workflow {id} does not exist");
    }

    /// <summary>The graphs of several workflows by id (a list page), from one look at the folders; an id not found is left out.</summary>
    public IReadOnlyDictionary<string, (WorkflowEntry Entry, JsonObject Workflow)> Graphs(IReadOnlyCollection<string> ids)
    {
        var graphs = new Dictionary<string, (WorkflowEntry, JsonObject)>(StringComparer.Ordinal);
        foreach (var (entry, file) in All())
            if (ids.Contains(entry.Id) && Read(file) is { } workflow) graphs[entry.Id] = (entry, workflow);
        return graphs;
    }

    /// <summary>
    /// Saves a new user workflow under an id made from its name (<c>my_portrait</c>; <c>_2</c>, <c>_3</c>… when taken),
    /// or replaces the user workflow <paramref name="replacing"/>. A template cannot be replaced (409: save a copy).
    /// </summary>
    public WorkflowEntry Save(string name, string? category, string? description, JsonObject workflow, string? replacing = null)
    {
        name = name.Trim();
        if (name.Length is 0 or > 120) throw StudioException.Validation("name must be 1 to 120 characters");
        Ensure(workflow);
        var stored = (JsonObject)workflow.DeepClone();
        var ui = WorkflowConverter.IsUiFormat(stored);
        var meta = new JsonObject { ["title"] = name, ["category"] = string.IsNullOrWhiteSpace(category) ? "Custom" : category.Trim() };
        if (!string.IsNullOrWhiteSpace(description)) meta["description"] = description.Trim();
        string id;
        lock (_writing)
        {
            if (replacing is not null)
            {
                CheckId(replacing);
                var existing = All().FirstOrDefault(w => w.Entry.Id == replacing).Entry ?? throw StudioException.NotFound($"Workflow {replacing} does not exist");
                if (existing.Template) throw StudioException.Conflict($"{existing.Name} is a template and cannot be changed: save a copy under a new name");
                if (category is null && existing.Category.Length > 0) meta["category"] = existing.Category;
                if (description is null && existing.Description is not null) meta["description"] = existing.Description;
                id = replacing;
            }
            else
            {
                var taken = All().Select(w => w.Entry.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var stem = Slug(name);
                id = stem;
                for (var n = 2; taken.Contains(id); n++) id = $"{stem}_{n}";
            }
            if (ui)
            {
                var extra = stored["extra"] as JsonObject ?? [];
                stored["extra"] = extra;
                extra["studio"] = meta;
            }
            else
            {
                stored.Remove("_meta");
                stored = new JsonObject([KeyValuePair.Create("_meta", (JsonNode?)meta), .. stored.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))]);
            }
            Directory.CreateDirectory(UserDir);
            FileSystemSwap.WriteAtomically(Path.Combine(UserDir, id + ".json"), stored.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        logger.LogInformation("Saved workflow {Id}", id);
        bus.Publish(new WorkflowSaved(id, name));
        return Get(id).Entry;
    }

    /// <summary>
    /// Imports a file as a user workflow: a PNG ComfyUI saved (its <c>workflow</c> text chunk, else its <c>prompt</c>),
    /// or the JSON of either format (a file ComfyUI exported, or pasted text). INVALID_WORKFLOW when it is neither.
    /// </summary>
    public WorkflowEntry Import(ReadOnlySpan<byte> content, string name, string? category = null)
    {
        JsonObject workflow;
        if (PngWorkflow.IsPng(content))
            workflow = PngWorkflow.Read(content)
                       ?? throw new StudioException(ErrorCodes.InvalidWorkflow, "This image carries no ComfyUI workflow (no PNG workflow or prompt text in it)");
        else
        {
            try
            {
                workflow = JsonNode.Parse(content) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                throw new StudioException(ErrorCodes.InvalidWorkflow, "This is neither a PNG ComfyUI saved nor a workflow's JSON (the API format or the UI format)");
            }
        }
        return Save(name, category ?? "Imported", null, workflow);
    }

    /// <summary>Deletes a user workflow; a template cannot be deleted (409).</summary>
    public void Delete(string id)
    {
        var (entry, _) = Get(id);
        if (entry.Template) throw StudioException.Conflict($"{entry.Name} is a template and cannot be deleted");
        lock (_writing)
        {
            var file = Path.Combine(UserDir, id + ".json");
            File.Delete(file);
            _described.TryRemove(file, out _);
        }
        logger.LogInformation("Deleted workflow {Id}", id);
        bus.Publish(new WorkflowDeleted(id));
    }

    /// <summary>The graph in the API format, ready for <c>POST /prompt</c> (a UI-format one converted with ComfyUI's node list), or why it cannot be.</summary>
    public async Task<WorkflowConversion> ToApiAsync(JsonObject workflow, CancellationToken ct = default) =>
        ToApi(workflow, WorkflowConverter.IsUiFormat(workflow) ? await nodes.GetAsync(ct) : NodeDefinitions.Empty);

    /// <summary>The graph in the API format against a node list already read (a UI-format one converted; an API-format one without its <c>_meta</c>).</summary>
    public static WorkflowConversion ToApi(JsonObject workflow, NodeDefinitions known)
    {
        if (WorkflowConverter.IsUiFormat(workflow)) return WorkflowConverter.ToApi(workflow, known);
        var prompt = (JsonObject)workflow.DeepClone();
        prompt.Remove("_meta");
        return new WorkflowConversion(prompt, []);
    }

    /// <summary>Conversion and validation against ComfyUI's node list: every error, each on its node and input.</summary>
    public async Task<(WorkflowConversion Converted, IReadOnlyList<WorkflowError> Errors)> ValidateAsync(JsonObject workflow, CancellationToken ct = default)
    {
        var converted = await ToApiAsync(workflow, ct);
        if (!converted.Converted) return (converted, converted.Errors);
        return (converted, await ValidatePromptAsync(converted.Prompt!, ct));
    }

    /// <summary>The errors of an API-format graph against ComfyUI's node list, a loader's file also good when it is on disk.</summary>
    public async Task<IReadOnlyList<WorkflowError>> ValidatePromptAsync(JsonObject prompt, CancellationToken ct = default) =>
        WorkflowValidator.Validate(prompt, await nodes.GetAsync(ct), await models.OnDiskAsync(ct));

    /// <summary>A JSON object that is no workflow in either format is INVALID_WORKFLOW (the API format as execute checks it, a top <c>_meta</c> aside).</summary>
    public static void Ensure(JsonObject workflow)
    {
        if (WorkflowConverter.IsUiFormat(workflow)) return;
        WorkflowShape.EnsureApiFormat(new JsonObject([.. workflow.Where(kv => kv.Key != "_meta").Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))]));
    }

    private static void CheckId(string id)
    {
        if (!IdPattern().IsMatch(id)) throw StudioException.Validation("A workflow id is letters, digits, _ and - (at most 100)");
    }

    private static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKD))
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if ((c is ' ' or '_' or '-' or '.') && sb.Length > 0 && sb[^1] != '_') sb.Append('_');
            if (sb.Length >= 60) break;
        }
        var slug = sb.ToString().Trim('_');
        return slug.Length == 0 ? "workflow" : slug;
    }

    /// <summary>Every workflow file, the first of an id winning: a self-update's templates, the registry's, then the user's.</summary>
    private List<(WorkflowEntry Entry, string File)> All()
    {
        var found = new List<(WorkflowEntry, string)>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var registryDir = Directory.Exists(Path.Combine(registry.SyncedDir, "workflows")) ? Path.Combine(registry.SyncedDir, "workflows")
            : Path.Combine(PresetCatalogStore.BuiltInDir, "workflows");
        foreach (var (dir, template, shownAs) in new[] { (TemplatesDir, true, (string?)null), (registryDir, true, registryDir == Path.Combine(PresetCatalogStore.BuiltInDir, "workflows") ? "registry/workflows" : null), (UserDir, false, null) })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.json", new EnumerationOptions { RecurseSubdirectories = template, MaxRecursionDepth = 4, IgnoreInaccessible = true }).Order(StringComparer.Ordinal))
            {
                var id = Path.GetFileNameWithoutExtension(file);
                if (!IdPattern().IsMatch(id) || string.Equals(id, "index", StringComparison.OrdinalIgnoreCase) || !ids.Add(id)) continue;
                var relative = shownAs is not null ? shownAs + "/" + Path.GetRelativePath(dir, file).Replace('\\', '/')
                    : Path.GetRelativePath(StudioDir, file).Replace('\\', '/');
                var info = new FileInfo(file);
                var entry = _described.TryGetValue(file, out var known) && known.Modified == info.LastWriteTimeUtc && known.Length == info.Length
                    ? known.Entry
                    : (_described[file] = (info.LastWriteTimeUtc, info.Length, Describe(id, file, template, relative))).Entry;
                if (entry is not null) found.Add((entry, file));
            }
        }
        return found;
    }

    private WorkflowEntry? Describe(string id, string file, bool template, string relative)
    {
        if (Read(file) is not { } workflow) return null;
        var ui = WorkflowConverter.IsUiFormat(workflow);
        var meta = ui ? workflow["extra"]?["studio"] as JsonObject : workflow["_meta"] as JsonObject;
        string? Text(string key) => meta?[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        var folder = Path.GetFileName(Path.GetDirectoryName(file));
        var category = Text("category") ?? (template && folder is { Length: > 0 } f && f != "templates" && f != "workflows" ? char.ToUpperInvariant(f[0]) + f[1..] : template ? "Templates" : "Custom");
        var preset = meta?["required_presets"] is JsonArray { Count: > 0 } presets ? presets[0]?.ToString() : Text("preset");
        return new WorkflowEntry(id, Text("title") ?? Text("name") ?? id, category, Text("description"), preset, relative, template,
            ui ? WorkflowEntry.Ui : WorkflowEntry.Api, File.GetLastWriteTimeUtc(file));
    }

    private JsonObject? Read(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            logger.LogWarning("Workflow {File} is unreadable: {Reason}", Path.GetFileName(file), e.Message);
            return null;
        }
    }
}
