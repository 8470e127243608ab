using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;

namespace ComfyStudio.Tests.Presets;

/// <summary>Registry sync from a local HTTP server, from <c>file://</c> and from a folder; a broken registry never replaces the catalog.</summary>
public sealed class RegistrySyncTests : IAsyncLifetime
{
    private readonly string _source = TestPaths.NewTempDir("registry-source");
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync()
    {
        var snapshot = Path.Combine(TestPaths.RepoRoot(), "registry");
        foreach (var file in Directory.EnumerateFiles(snapshot, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_source, Path.GetRelativePath(snapshot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _owned) await d.DisposeAsync();
        TestPaths.TryDelete(_source);
    }

    private sealed class RegistryHost(string url, bool syncAtStart) : StudioFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["REGISTRY_URL"] = url, ["Presets:SyncAtStart"] = syncAtStart ? "true" : "false",
        };
    }

    private HttpClient Client(string url, bool syncAtStart = false)
    {
        var host = new RegistryHost(url, syncAtStart);
        _owned.Add(host);
        return host.CreateKeyClient();
    }

    /// <summary>A real HTTP server serving the registry folder.</summary>
    private async Task<string> ServeAsync()
    {
        var (app, url) = await ComfyStudio.Tests.Fakes.LoopbackServer.StartAsync(app =>
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(_source), ServeUnknownFileTypes = true }));
        _owned.Add(app);
        return url + "/";
    }

    [Fact]
    public async Task The_first_start_with_a_registry_url_reads_that_registry_not_the_snapshot()
    {
        File.WriteAllText(Path.Combine(_source, "registry.json"), File.ReadAllText(Path.Combine(_source, "registry.json")).Replace("\"1.0.0\"", "\"1.0.7\""));
        var url = await ServeAsync();
        var client = Client(url, syncAtStart: true);
        JsonElement status = default;
        await TestWait.UntilAsync(async () =>
        {
            status = await client.GetFromJsonAsync<JsonElement>("/api/presets/registry/status");
            return status.GetProperty("source").GetString() != "built-in snapshot";
        }, 30, "the registry to be synced at start");
        Assert.Equal(url + "registry.json", status.GetProperty("source").GetString());
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("last_sync").ValueKind);
    }

    [Fact]
    public async Task Before_any_sync_the_shipped_snapshot_is_loaded()
    {
        var status = await Client(_source).GetFromJsonAsync<JsonElement>("/api/presets/registry/status");
        Assert.Equal("loaded", status.GetProperty("status").GetString());
        Assert.Equal("1.0.0", status.GetProperty("version").GetString());
        Assert.Equal(56, status.GetProperty("total_presets").GetInt32());
        Assert.Equal(26, status.GetProperty("categories").GetProperty("Video Generation").GetInt32());
        Assert.Equal(25, status.GetProperty("categories").GetProperty("Image Generation").GetInt32());
        Assert.Equal(5, status.GetProperty("categories").GetProperty("Audio Generation").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("last_sync").ValueKind);
        Assert.Equal("built-in snapshot", status.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("http")]
    [InlineData("file")]
    [InlineData("path")]
    public async Task A_sync_reads_the_whole_registry_and_swaps_it_in(string kind)
    {
        var url = kind switch { "http" => await ServeAsync(), "file" => new Uri(_source + "/").AbsoluteUri, _ => _source };
        var client = Client(url);
        var sync = await client.PostAsync("/api/presets/registry/sync", null);
        Assert.True(sync.StatusCode == HttpStatusCode.OK, await sync.Content.ReadAsStringAsync());
        var body = await sync.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("synced", body.GetProperty("status").GetString());
        Assert.Equal(56, body.GetProperty("presets_count").GetInt32());
        // The source is where registry.json was read, written as it was read.
        var expected = kind == "path" ? Path.Combine(_source, "registry.json") : new Uri(new Uri(url.EndsWith('/') ? url : url + "/"), "registry.json").ToString();
        Assert.Equal(expected, body.GetProperty("source").GetString());
        var status = await client.GetFromJsonAsync<JsonElement>("/api/presets/registry/status");
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("last_sync").ValueKind);
        Assert.Equal(56, status.GetProperty("total_presets").GetInt32());
    }

    [Fact]
    public async Task A_broken_preset_keeps_the_catalog_and_says_why()
    {
        var url = await ServeAsync();
        var client = Client(url);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/presets/registry/sync")).StatusCode);

        File.WriteAllText(Path.Combine(_source, "presets", "video", "wan-2-1-t2v-14b", "preset.yaml"), "id: wan-2-1-t2v-14b\nfiles: [\n");
        var failed = await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets/registry/sync"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Contains("presets/video/wan-2-1-t2v-14b/preset.yaml", failed.GetProperty("detail").GetString());
        Assert.Contains("the current catalog stays", failed.GetProperty("detail").GetString());

        File.Delete(Path.Combine(_source, "presets", "video", "wan-2-1-t2v-14b", "preset.yaml")); // a partial registry: 404
        failed = await ErrorAssert.IsErrorBody(await client.GetAsync("/api/presets/registry/sync"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Contains("404", failed.GetProperty("detail").GetString());

        var status = await client.GetFromJsonAsync<JsonElement>("/api/presets/registry/status");
        Assert.Equal(56, status.GetProperty("total_presets").GetInt32());
        Assert.Contains("404", status.GetProperty("last_error").GetString());
    }
}
