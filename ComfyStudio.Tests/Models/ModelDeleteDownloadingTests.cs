using System.Net.Http.Json;
using System.Text.Json;

namespace ComfyStudio.Tests.Models;

/// <summary>A file that is being downloaded is never deleted through the models routes.</summary>
public sealed class ModelDeleteDownloadingTests : IAsyncLifetime
{
    private readonly DownloadFactory _host = new();
    private ModelFileServer _server = null!;

    public async Task InitializeAsync() => _server = await ModelFileServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_file_being_downloaded_is_refused_with_the_reason()
    {
        var slow = _server.Add("coming.bin", 4_000_000, seed: 81);
        slow.BytesPerSecond = 200_000;
        var client = _host.CreateKeyClient();
        var started = await DownloadFactory.StartAsync(client, new { name = "coming", files = new[] { new { url = _server.UrlOf("coming.bin"), path = "checkpoints/coming.bin" } } });
        await DownloadFactory.WaitForAsync(client, started.GetProperty("id").GetString()!, ["downloading"]);
        var part = _host.ModelPath("checkpoints/coming.bin") + ".part";
        await _host.UntilAsync(() => File.Exists(part), what: "the .part to exist");

        var answer = await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/models")
        {
            Content = JsonContent.Create(new { paths = new[] { "checkpoints/coming.bin" }, confirm = true, force = true }),
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, answer.GetProperty("deleted").GetInt32());
        Assert.Contains("being downloaded", answer.GetProperty("errors")[0].GetProperty("error").GetString());
        Assert.True(File.Exists(part), "the download's .part stays");
        slow.BytesPerSecond = null;
    }
}
