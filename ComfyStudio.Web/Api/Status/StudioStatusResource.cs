using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Status;
using ComfyStudio.Services.Versions;

namespace ComfyStudio.Web.Api.Status;

/// <summary>
/// The System API's <c>GET /api/admin/system/status</c>: component versions with live counts, ComfyUI, custom node
/// packages, the volume, the database's tables and the Telegram bot.
/// </summary>
public sealed record StudioStatusResource(
    string AppVersion, string Date, string? RepoUrl, int RuntimeVersion, int MinRuntime,
    StudioStatusResource.ComponentList Components, StudioStatusResource.ComfyUiState Comfyui, StudioStatusResource.NodeCount Nodes,
    StudioStatusResource.DiskBytes Disk, StudioStatusResource.DatabaseTables Database, StudioStatusResource.Telegram TelegramBot,
    bool DevMode)
{
    public sealed record ComponentList(
        Component Runtime, Component Backend, Component Frontend, Component Models, Component Loras, Component LlmModels, Component Workflows);

    /// <summary>A component's deployed version and date, its state in words, and its count where it has one.</summary>
    public sealed record Component(
        JsonNode? Version, string? Date, string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Updatable = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Count = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Present = null);

    public sealed record ComfyUiState(string Status, string? Version);
    public sealed record NodeCount(int TotalPackages);
    public sealed record DiskBytes(long TotalBytes, long UsedBytes, long FreeBytes);

    /// <summary>Row counts per table; <c>browser_url</c> only in dev mode.</summary>
    public sealed record DatabaseTables(IReadOnlyDictionary<string, long> Tables, string? BrowserUrl);

    public sealed record Telegram(bool Running, string? Name);

    public static StudioStatusResource From(StudioStatusReport s, string runningVersion, string? databaseBrowserUrl)
    {
        var local = s.Local;
        var c = s.Catalogs;
        var runtime = s.RuntimeVersion > 0 ? $"Docker image v{s.RuntimeVersion}" : "Local runtime (.NET " + Environment.Version + ")";
        var components = new ComponentList(
            Of(local, "runtime", runtime) with { Updatable = false },
            Of(local, "backend", "running", fallbackVersion: runningVersion),
            Of(local, "frontend", s.FrontendDeployed ? "loaded" : "built-in"),
            Of(local, "models", Plural(c.Models, "model")) with { Count = c.Models, Present = c.ModelsPresent },
            Of(local, "loras", Plural(c.Loras, "lora")) with { Count = c.Loras },
            Of(local, "llm_models", Plural(c.LlmModels, "llm model")) with { Count = c.LlmModels },
            Of(local, "workflows", Plural(c.Workflows, "workflow")) with { Count = c.Workflows });
        return new(
            local.AppVersion is { Length: > 0 } v ? v : runningVersion, local.Date, s.RepoUrl, s.RuntimeVersion, local.MinRuntime, components,
            new ComfyUiState(s.ComfyUi.Status, s.ComfyUi.Version), new NodeCount(s.NodePackages),
            new DiskBytes(s.Disk.TotalBytes, s.Disk.UsedBytes, s.Disk.FreeBytes),
            new DatabaseTables(s.Tables, s.DevMode ? databaseBrowserUrl : null),
            new Telegram(s.TelegramConfigured, s.TelegramName), s.DevMode);
    }

    private static Component Of(VersionManifest local, string name, string status, string? fallbackVersion = null)
    {
        var c = local.Component(name);
        return new Component(c?.Version?.DeepClone() ?? (fallbackVersion is null ? null : JsonValue.Create(fallbackVersion)), c?.Date, status);
    }

    private static string Plural(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
