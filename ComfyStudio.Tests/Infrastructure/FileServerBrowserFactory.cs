using ComfyStudio.Tests.Fakes;

namespace ComfyStudio.Tests.Infrastructure;

/// <summary>The app on Kestrel with Chromium, and a model file server to download from.</summary>
public class FileServerBrowserFactory : BrowserFactory
{
    public ModelFileServer Files { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Files = await ModelFileServer.StartAsync();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Downloads:Connections"] = "2",
        ["Downloads:ChunkBytes"] = "262144",
        ["Downloads:ProgressInterval"] = "00:00:00.200",
        ["Downloads:DiskMarginBytes"] = "0",
        ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
        ["COMFYUI_URL"] = "http://127.0.0.1:9",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Files.DisposeAsync();
    }
}
