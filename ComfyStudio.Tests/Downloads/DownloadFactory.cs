using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Downloads;

/// <summary>Free space as a test says it is.</summary>
public sealed class TestFreeSpace : IFreeSpace
{
    public long Available { get; set; } = long.MaxValue / 4;
    public long AvailableBytes(string folder) => Available;
}

/// <summary>The app with the download engine tuned for tests: small chunks, short stalls and backoffs, 127.0.0.1 as "Hugging Face".</summary>
public class DownloadFactory : StudioFactory
{
    public const string HfToken = "hf_test_token_0123456789";
    public const string CivitaiKey = "civitai_test_key_0123456789";

    public DownloadFactory() { }

    /// <summary>A host on an existing data folder (a restart).</summary>
    public DownloadFactory(string dataDir) : base(dataDir) { }

    public TestFreeSpace FreeSpace { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["HF_TOKEN"] = HfToken,
        ["Downloads:Connections"] = "4",
        ["Downloads:ChunkBytes"] = "262144",
        ["Downloads:MinSplitBytes"] = "65536",
        ["Downloads:StallTimeout"] = "00:00:01",
        ["Downloads:RetryBaseDelay"] = "00:00:00.050",
        ["Downloads:RetryMaxDelay"] = "00:00:00.500",
        ["Downloads:PersistInterval"] = "00:00:00.100",
        ["Downloads:ProgressInterval"] = "00:00:00.100",
        ["Downloads:DiskMarginBytes"] = "0",
        ["Downloads:HuggingFaceHosts:0"] = "127.0.0.1",
        ["Downloads:CivitaiHosts:0"] = "localhost",
        ["CIVITAI_API_KEY"] = CivitaiKey,
        ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
        ["COMFYUI_URL"] = "http://127.0.0.1:9",
    };

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<IFreeSpace>(FreeSpace);

    public string ModelPath(string relative) => Path.Combine(ComfyUiDir, "models", relative);

    /// <summary><see cref="TestWait.UntilAsync(Func{Task{bool}}, int, string)"/> that, on a timeout, adds what the app logged meanwhile.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, int seconds = 15, string what = "the condition")
    {
        try
        {
            await TestWait.UntilAsync(condition, seconds, what);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var logs = await CreateKeyClient().GetStringAsync("/api/system/logs?service=all&lines=60");
            throw new Xunit.Sdk.XunitException($"{e.Message}\nlogs: {logs}");
        }
    }

    public Task UntilAsync(Func<bool> condition, int seconds = 15, string what = "the condition") =>
        UntilAsync(() => Task.FromResult(condition()), seconds, what);

    public static async Task<JsonElement> StartAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/downloads", body);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the download reaches one of <paramref name="states"/> and answers it.</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, string id, string[] states, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var last = await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
            if (states.Contains(last.GetProperty("status").GetString())) return last;
            if (DateTime.UtcNow > until)
            {
                // What the app and Hangfire said meanwhile: the only trace a CI run leaves.
                var logs = await client.GetStringAsync("/api/system/logs?service=all&lines=60");
                Assert.Fail($"Timed out waiting for download {id} to become {string.Join("/", states)}; last seen: {last}\nlogs: {logs}");
            }
            await Task.Delay(50);
        }
    }

    public static Task<JsonElement> FinishedAsync(HttpClient client, string id, int seconds = 60) =>
        WaitForAsync(client, id, ["completed", "failed"], seconds);
}
