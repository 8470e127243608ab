using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Downloads;

/// <summary>A host stopped mid-download and a new one on the same data: the download resumes by itself and re-fetches little.</summary>
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
        const long chunk = 262_144;
        const int connections = 4;
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
        Assert.True(recorded - file.Size < chunk * connections, $"{recorded - file.Size:N0} bytes fetched twice (served {servedBefore:N0} before the restart)");
        Assert.True(servedBefore > 1_000_000);
    }
}
