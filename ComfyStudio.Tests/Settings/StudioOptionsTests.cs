using ComfyStudio.Services.Configuration;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ComfyStudio.Tests.Settings;

public sealed class StudioOptionsTests
{
    [Fact]
    public void Environment_names_bind_to_typed_options()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["API_KEY"] = "k", ["HF_TOKEN"] = "h", ["STUDIO_PORT"] = "9001", ["COMFYUI_PORT"] = "8190",
            ["MAX_CONCURRENT_DOWNLOADS"] = "50", ["DEV_MODE"] = "true", ["RUNPOD_POD_ID"] = "pod1",
            ["STUDIO_DIR"] = "/tmp/x-studio", ["COMFYUI_DIR"] = "/tmp/x-comfy", ["CORS_ORIGINS"] = "https://a.example",
        }).Build();
        var o = StudioOptions.From(config);
        Assert.Equal(("k", "h", 9001, 8190), (o.ApiKey, o.HfToken, o.StudioPort, o.ComfyUiPort));
        Assert.Equal(10, o.MaxConcurrentDownloads);
        Assert.True(o.DevMode);
        Assert.True(o.IsRunPod);
        Assert.Equal("http://127.0.0.1:8190", o.ComfyUiUrl);
        Assert.Equal("/tmp/x-studio/database/studio.db", o.DatabasePath);
        Assert.Equal("/tmp/x-comfy/models", o.ModelsDir);
        Assert.Equal("https://a.example", o.CorsOrigins);
    }

    [Fact]
    public void Without_a_workspace_volume_the_data_folders_sit_under_data_and_with_one_on_it()
    {
        var local = new StudioOptions();
        local.ApplyDefaults(workspaceRoot: "/definitely/not/here");
        // ./data of the folder it was started from (dotnet run in the repository: the repository's data/).
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "data"), local.StudioDir);
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "data", "ComfyUI"), local.ComfyUiDir);

        var workspace = TestPaths.NewTempDir("workspace");
        var pod = new StudioOptions();
        pod.ApplyDefaults(workspace);
        Assert.Equal(Path.Combine(workspace, "studio"), pod.StudioDir);
        Assert.Equal(Path.Combine(workspace, "ComfyUI"), pod.ComfyUiDir);
        pod.EnsureFolders();
        Assert.True(Directory.Exists(Path.Combine(workspace, "studio", "database")));
        Assert.True(Directory.Exists(Path.Combine(workspace, "ComfyUI", "models")));
        TestPaths.TryDelete(workspace);
    }
}
