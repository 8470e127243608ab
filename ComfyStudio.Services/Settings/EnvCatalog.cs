namespace ComfyStudio.Services.Settings;

/// <summary>
/// The variables the product knows, grouped as the System API's original groups them, plus ComfyStudio's own
/// (ComfyUI URL, registry, CORS, proxies). Only <see cref="Editable"/> keys change at runtime.
/// </summary>
public static class EnvCatalog
{
    /// <summary>The variables <c>PUT /api/admin/settings/env</c> accepts (the System API's list).</summary>
    public static readonly IReadOnlySet<string> Editable = new HashSet<string>(StringComparer.Ordinal)
    {
        "API_KEY", "CIVITAI_API_KEY", "HF_TOKEN", "TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_NAME",
    };

    public static readonly IReadOnlyList<EnvGroupDefinition> Groups =
    [
        new("auth", "Authentication & API Tokens",
        [
            new("API_KEY", "Web UI password and X-API-Key header", "(generated at first start)", Sensitive: true, Editable: true),
            new("CIVITAI_API_KEY", "CivitAI API key, sent as ?token= to civitai.com only", Sensitive: true, Editable: true),
            new("HF_TOKEN", "Hugging Face token for gated models, sent to Hugging Face hosts only", Sensitive: true, Editable: true),
            new("TELEGRAM_BOT_TOKEN", "Telegram bot token", Sensitive: true, Editable: true),
            new("TELEGRAM_BOT_NAME", "Telegram bot display name", Editable: true),
        ]),
        new("paths", "Paths",
        [
            new("STUDIO_DIR", "Data folder: database, catalogs, workflows, logs", "/workspace/studio (else ./data)"),
            new("COMFYUI_DIR", "ComfyUI install; models in models/<folder>/", "/workspace/ComfyUI (else ./data/ComfyUI)"),
            new("COMFYUI_LOG", "ComfyUI's log file, for the logs viewer"),
        ]),
        new("ports", "Ports and addresses",
        [
            new("STUDIO_PORT", "Port of the UI, API, /ws and /hangfire", "8000"),
            new("COMFYUI_PORT", "ComfyUI's port", "8188"),
            new("COMFYUI_URL", "ComfyUI's address", "http://127.0.0.1:<COMFYUI_PORT>"),
            new("CORS_ORIGINS", "Origins allowed to call the API from a browser (comma-separated, or *)"),
            new("TRUSTED_PROXIES", "Reverse proxies whose X-Forwarded-For is believed (IPs or CIDR ranges)"),
        ]),
        new("comfyui", "ComfyUI",
        [
            new("COMFYUI_FLAGS", "ComfyUI launch flags (--highvram, --normalvram or --lowvram)", "--highvram"),
            new("COMFYUI_EXTRA_ARGS", "Extra ComfyUI arguments"),
        ]),
        new("downloads", "Downloads",
        [
            new("MAX_CONCURRENT_DOWNLOADS", "Files downloaded at once (1-10); the Settings value wins once saved", "3"),
            new("REGISTRY_URL", "Preset registry (https://, file:// or a path)"),
        ]),
        new("infra", "Infrastructure",
        [
            new("RUNTIME_VERSION", "Runtime (Docker image) version; set by the image", "0"),
            new("HOSTING", "runpod when RUNPOD_POD_ID is set"),
            new("REPO_URL", "Release repository for self-update"),
            new("REPO_BRANCH", "Release branch", "main"),
            new("UPDATE_CHECK_HOURS", "Hours between update checks (0: off)", "6"),
            new("DOCS_URL", "Documentation link"),
            new("DEV_MODE", "Development mode", "false"),
        ]),
        new("dev", "Development",
        [
            new("DEV_DOWNLOAD_DELAY", "Artificial delay of test downloads (seconds)", "5"),
        ], EnvGroupCondition.DevModeOnly),
        new("runpod", "RunPod Environment",
        [
            new("RUNPOD_API_KEY", "RunPod API key (network volume size)", Sensitive: true),
            new("RUNPOD_POD_ID", "This pod's id"),
            new("RUNPOD_DC_ID", "Data centre"),
            new("RUNPOD_VOLUME_ID", "Network volume id"),
            new("RUNPOD_MEM_GB", "Memory of the pod (GB)"),
            new("PUBLIC_KEY", "SSH public key"),
        ], EnvGroupCondition.RunPodOnly),
    ];

    public static EnvVarDefinition? Find(string key) =>
        Groups.SelectMany(g => g.Vars).FirstOrDefault(v => string.Equals(v.Key, key, StringComparison.Ordinal));
}
