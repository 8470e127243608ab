using Microsoft.Extensions.Configuration;

namespace ComfyStudio.Services.Configuration;

/// <summary>
/// The product's settings, bound from the environment variable names of the System API (and the studio's own)
/// at the root of the configuration; <c>appsettings.json</c> holds the defaults.
/// </summary>
public sealed class StudioOptions
{
    [ConfigurationKeyName("API_KEY")] public string? ApiKey { get; set; }
    [ConfigurationKeyName("CIVITAI_API_KEY")] public string? CivitaiApiKey { get; set; }
    [ConfigurationKeyName("HF_TOKEN")] public string? HfToken { get; set; }
    [ConfigurationKeyName("TELEGRAM_BOT_TOKEN")] public string? TelegramBotToken { get; set; }
    [ConfigurationKeyName("TELEGRAM_BOT_NAME")] public string? TelegramBotName { get; set; }

    /// <summary>Data folder: database, catalogs, workflows, logs, the update clone.</summary>
    [ConfigurationKeyName("STUDIO_DIR")] public string? StudioDir { get; set; }
    /// <summary>The ComfyUI install; models live in <c>models/&lt;folder&gt;/</c>.</summary>
    [ConfigurationKeyName("COMFYUI_DIR")] public string? ComfyUiDir { get; set; }
    /// <summary>ComfyUI's log file, shown by the logs viewer as service <c>comfyui</c> (optional).</summary>
    [ConfigurationKeyName("COMFYUI_LOG")] public string? ComfyUiLog { get; set; }
    [ConfigurationKeyName("STUDIO_PORT"), System.ComponentModel.DataAnnotations.Range(1, 65535)] public int StudioPort { get; set; } = 8000;
    [ConfigurationKeyName("COMFYUI_PORT"), System.ComponentModel.DataAnnotations.Range(1, 65535)] public int ComfyUiPort { get; set; } = 8188;
    [ConfigurationKeyName("COMFYUI_URL")] public string? ComfyUiUrl { get; set; }
    [ConfigurationKeyName("MAX_CONCURRENT_DOWNLOADS")] public int MaxConcurrentDownloads { get; set; } = 3;
    [ConfigurationKeyName("RUNTIME_VERSION")] public int RuntimeVersion { get; set; }
    [ConfigurationKeyName("HOSTING")] public string? Hosting { get; set; }
    [ConfigurationKeyName("REPO_URL")] public string? RepoUrl { get; set; }
    [ConfigurationKeyName("REPO_BRANCH")] public string RepoBranch { get; set; } = "main";
    /// <summary>How often the release repository is checked for updates (hours; 0 turns the check off).</summary>
    [ConfigurationKeyName("UPDATE_CHECK_HOURS")] public int UpdateCheckHours { get; set; } = 6;
    /// <summary>The longest a clone or fetch of the release repository may take.</summary>
    [ConfigurationKeyName("UPDATE_FETCH_TIMEOUT_SECONDS")] public int UpdateFetchTimeoutSeconds { get; set; } = 120;
    [ConfigurationKeyName("REGISTRY_URL")] public string? RegistryUrl { get; set; }
    [ConfigurationKeyName("CORS_ORIGINS")] public string? CorsOrigins { get; set; }
    /// <summary>Reverse proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For/-Proto are believed.</summary>
    [ConfigurationKeyName("TRUSTED_PROXIES")] public string? TrustedProxies { get; set; }
    [ConfigurationKeyName("DEV_MODE")] public bool DevMode { get; set; }

    [ConfigurationKeyName("RUNPOD_API_KEY")] public string? RunPodApiKey { get; set; }
    [ConfigurationKeyName("RUNPOD_POD_ID")] public string? RunPodPodId { get; set; }
    [ConfigurationKeyName("RUNPOD_DC_ID")] public string? RunPodDcId { get; set; }
    [ConfigurationKeyName("RUNPOD_VOLUME_ID")] public string? RunPodVolumeId { get; set; }
    [ConfigurationKeyName("RUNPOD_MEM_GB")] public string? RunPodMemGb { get; set; }
    [ConfigurationKeyName("PUBLIC_KEY")] public string? PublicKey { get; set; }

    public bool IsRunPod => string.Equals(Hosting, "runpod", StringComparison.OrdinalIgnoreCase);

    /// <summary>Resolved by <see cref="StudioPaths"/>; never empty after start.</summary>
    public string DatabaseDir => Path.Combine(StudioDir!, "database");
    public string LogsDir => Path.Combine(StudioDir!, "logs");
    public string DatabasePath => Path.Combine(DatabaseDir, "studio.db");
    /// <summary>Hangfire's jobs and their history (the SQLite job storage), beside the app's database.</summary>
    public string JobsDatabasePath => Path.Combine(DatabaseDir, "jobs.db");
    public string ModelsDir => Path.Combine(ComfyUiDir!, "models");
    /// <summary>Static files an update deployed; served ahead of the built-in <c>wwwroot</c>.</summary>
    public string FrontendDir => Path.Combine(StudioDir!, "frontend");
    /// <summary>The self-update's staging clone of the release repository.</summary>
    public string ReleaseCloneDir => Path.Combine(StudioDir!, ".repo");

    /// <summary>
    /// Fills what the environment left empty: <c>STUDIO_DIR</c> and <c>COMFYUI_DIR</c> go on the pod's
    /// <c>/workspace</c> volume when it exists, else under <c>./data</c>; <c>HOSTING</c> is <c>runpod</c>
    /// when RunPod's pod id is set; <c>COMFYUI_URL</c> follows <c>COMFYUI_PORT</c>.
    /// </summary>
    public void ApplyDefaults(string workspaceRoot = "/workspace")
    {
        var onWorkspace = Directory.Exists(workspaceRoot);
        if (string.IsNullOrWhiteSpace(StudioDir))
            StudioDir = onWorkspace ? Path.Combine(workspaceRoot, "studio") : Path.Combine(LocalRoot, "data");
        if (string.IsNullOrWhiteSpace(ComfyUiDir))
            ComfyUiDir = onWorkspace ? Path.Combine(workspaceRoot, "ComfyUI") : Path.Combine(LocalRoot, "data", "ComfyUI");
        StudioDir = Path.GetFullPath(StudioDir);
        ComfyUiDir = Path.GetFullPath(ComfyUiDir);
        if (string.IsNullOrWhiteSpace(Hosting) && !string.IsNullOrWhiteSpace(RunPodPodId))
            Hosting = "runpod";
        if (string.IsNullOrWhiteSpace(ComfyUiUrl))
            ComfyUiUrl = $"http://127.0.0.1:{ComfyUiPort}";
        MaxConcurrentDownloads = Math.Clamp(MaxConcurrentDownloads, 1, 10);
    }

    /// <summary>
    /// Where <c>./data</c> sits without a workspace volume: the folder the app is started from (<c>dotnet run</c> in
    /// the repository keeps it there, not in <c>bin/Debug/…</c>; a restart from the UI keeps that folder).
    /// </summary>
    public static string LocalRoot => Directory.GetCurrentDirectory();

    /// <summary>Creates the folders the app writes to.</summary>
    public void EnsureFolders()
    {
        foreach (var dir in new[] { StudioDir!, DatabaseDir, LogsDir, ModelsDir,
                     Path.Combine(StudioDir!, "workflows", "templates"), Path.Combine(StudioDir!, "workflows", "user"),
                     Path.Combine(StudioDir!, "catalogs"), FrontendDir })
            Directory.CreateDirectory(dir);
    }

    /// <summary>Reads and resolves the options straight from configuration (for use before DI exists).</summary>
    public static StudioOptions From(IConfiguration configuration)
    {
        var options = new StudioOptions();
        configuration.Bind(options);
        options.ApplyDefaults();
        return options;
    }
}
