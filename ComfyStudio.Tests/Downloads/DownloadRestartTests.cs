using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Downloads;

/// <summary>
/// A host stopped mid-download, or the built app killed outright (SIGKILL), and a new one on the same data: the
/// download resumes by itself and re-fetches little.
/// </summary>
public sealed class DownloadRestartTests : IAsyncLifetime
{
    private ModelFileServer _server = null!;
    private readonly string _data = TestPaths.NewTempDir("download-restart");

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        TestPaths.TryDelete(_data);
    }

    [Fact]
    public async Task A_download_interrupted_by_a_restart_resumes_where_it_stopped()
    {
        var file = _server.Add("restart.bin", 4_000_000, seed: 61);
        file.BytesPerSecond = 600_000; // per connection
        string id;
        long recorded;
        await using (var first = new DownloadFactory(_data))
        {
            var client = first.CreateKeyClient();
            var started = await DownloadFactory.StartAsync(client, new
            {
                name = "restart", files = new[] { new { url = _server.UrlOf(file.Name), path = "diffusion_models/restart.safetensors", size = file.Size, sha256 = file.Sha256 } },
            });
            id = started.GetProperty("id").GetString()!;
            await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("downloaded_bytes").GetInt64() > 1_500_000,
                seconds: 30, what: "a good part of the file");
        }
        var servedBefore = _server.BytesServed(file.Name);
        await using var second = new DownloadFactory(_data);
        var done = await DownloadFactory.FinishedAsync(second.CreateKeyClient(), id);
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        recorded = _server.BytesServed(file.Name);
        // Everything written before the stop was kept: what came twice is less than one chunk per connection.
        Assert.True(recorded - file.Size < Chunk * Connections, $"{recorded - file.Size:N0} bytes fetched twice (served {servedBefore:N0} before the restart)");
        Assert.True(servedBefore > 1_000_000);
    }

    private const long Chunk = 262_144;
    private const int Connections = 4;

    private static readonly Dictionary<string, string> Engine = new()
    {
        ["Downloads__Connections"] = Connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Downloads__ChunkBytes"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Downloads__MinSplitBytes"] = "65536",
        ["Downloads__PersistInterval"] = "00:00:00.200",
        ["Downloads__DiskMarginBytes"] = "0",
    };

    [Fact]
    public async Task A_download_killed_with_the_process_resumes_in_the_next_one_and_refetches_less_than_a_chunk_per_connection()
    {
        var file = _server.Add("crash.bin", 4_000_000, seed: 62);
        file.BytesPerSecond = 500_000; // per connection
        string id;
        using (var first = new StudioProcess(TestPaths.WebDll(), _data, Engine))
        {
            await first.UptimeAsync(TimeSpan.FromSeconds(90));
            var started = await first.Http.PostAsJsonAsync("/api/downloads", new
            {
                name = "crash", files = new[] { new { url = _server.UrlOf(file.Name), path = "diffusion_models/crash.safetensors", size = file.Size, sha256 = file.Sha256 } },
            });
            id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await TestWait.UntilAsync(async () => (await first.Http.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}")).GetProperty("downloaded_bytes").GetInt64() > 1_500_000,
                seconds: 60, what: "a good part of the file");
            first.First.Kill(); // SIGKILL: no shutdown, no last write
            Assert.True(first.First.WaitForExit(TimeSpan.FromSeconds(10)));
        }
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the killed process's connections to close");
        var servedBefore = _server.BytesServed(file.Name);
        file.BytesPerSecond = null;

        using var second = new StudioProcess(TestPaths.WebDll(), _data, Engine);
        await second.UptimeAsync(TimeSpan.FromSeconds(90));
        JsonElement done = default;
        await TestWait.UntilAsync(async () =>
        {
            done = await second.Http.GetFromJsonAsync<JsonElement>($"/api/downloads/{id}");
            return done.GetProperty("status").GetString() is "completed" or "failed";
        }, seconds: 60, what: "the download to finish in the new process");
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        Assert.Equal(file.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(_data, "ComfyUI", "models", "diffusion_models", "crash.safetensors")))));
        await TestWait.UntilAsync(() => _server.OpenResponses == 0, what: "the server to see every connection end");
        var twice = _server.BytesServed(file.Name) - file.Size;
        Assert.True(twice < Chunk * Connections, $"{twice:N0} bytes fetched twice (served {servedBefore:N0} before the kill)");
        Assert.True(servedBefore > 1_000_000);
    }
}
