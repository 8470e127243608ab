using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Tests.Downloads;
using ComfyStudio.Tests.Fakes;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Presets;

/// <summary>A file of a test preset: served by the test file server, placed at <paramref name="Path"/>; exact size and hash only when asked.</summary>
public sealed record TestPresetFile(ModelFileServer.ServedFile Served, string Path, bool WithSha = false, bool WithExactSize = false);

public sealed record TestPreset(string Id, string Name, string Version, string Type, double VramGb, params TestPresetFile[] Files)
{
    /// <summary>Presets it needs (<c>requirements.dependencies</c>).</summary>
    public string[] Dependencies { get; init; } = [];
}

/// <summary>
/// Writes a registry in the real format (<c>registry.json</c> plus one <c>preset.yaml</c> per preset) whose file URLs
/// point at the test file server. Sizes are written as the real registry writes them ("1.43MB"), approximate.
/// </summary>
public static class TestRegistry
{
    public static void Write(string folder, ModelFileServer server, params TestPreset[] presets)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var index = new JsonObject();
        foreach (var p in presets)
        {
            var category = p.Type switch { "video" => "Video Generation", "audio" => "Audio Generation", _ => "Image Generation" };
            var relative = $"presets/{p.Type}/{p.Id}/preset.yaml";
            var yaml = new StringBuilder();
            yaml.AppendLine(CultureInfo.InvariantCulture, $"id: {p.Id}\nversion: {p.Version}\nname: {p.Name}\ncategory: {category}\ntype: {p.Type}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"description: Test preset {p.Name}\ndownload_size: {Human(p.Files.Sum(f => f.Served.Size))}\nfiles:");
            foreach (var f in p.Files)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"- path: {f.Path}\n  url: {server.UrlOf(f.Served.Name)}\n  size: {Human(f.Served.Size)}\n  optional: false");
                yaml.AppendLine("  source: {type: huggingface, repo: test/repo, revision: null}");
                if (f.WithSha) yaml.AppendLine(CultureInfo.InvariantCulture, $"  checksum: {{algorithm: sha256, value: {f.Served.Sha256}}}");
                if (f.WithExactSize) yaml.AppendLine(CultureInfo.InvariantCulture, $"  size_bytes: {f.Served.Size}");
            }
            yaml.AppendLine(CultureInfo.InvariantCulture, $"tags: [test, {p.Type}]\nuse_case: Testing\ncreated: '2026-11-01T00:00:00Z'\nupdated: '2026-11-01T00:00:00Z'");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"requirements: {{vram_gb: {p.VramGb.ToString(System.Globalization.CultureInfo.InvariantCulture)}, disk_gb: 0.01, dependencies: [{string.Join(", ", p.Dependencies)}]}}");
            Directory.CreateDirectory(Path.Combine(folder, Path.GetDirectoryName(relative)!));
            File.WriteAllText(Path.Combine(folder, relative), yaml.ToString());
            index[p.Id] = new JsonObject
            {
                ["name"] = p.Name, ["category"] = category, ["type"] = p.Type, ["download_size"] = Human(p.Files.Sum(f => f.Served.Size)),
                ["vram_gb"] = p.VramGb, ["disk_gb"] = 0.01, ["tags"] = new JsonArray("test"), ["update_available"] = false,
                ["last_verified"] = "2026-11-01T00:00:00Z", ["file_count"] = p.Files.Length, ["path"] = relative,
            };
        }
        File.WriteAllText(Path.Combine(folder, "registry.json"), new JsonObject
        {
            ["version"] = "1.0.0", ["generated_at"] = "2026-11-01T00:00:00Z", ["presets"] = index,
        }.ToJsonString());
    }

    /// <summary>"1.43MB", as the real registry writes sizes.</summary>
    public static string Human(long bytes) => bytes >= 1_000_000_000
        ? $"{bytes / 1e9:0.##}GB".Replace(',', '.')
        : $"{bytes / 1e6:0.##}MB".Replace(',', '.');
}

/// <summary>The app on a registry of test presets (the synced copy in its data folder), with the download engine tuned for tests.</summary>
public sealed class PresetFactory : DownloadFactory
{
    /// <summary>The registry a sync reads (REGISTRY_URL): a folder the test may rewrite.</summary>
    public string RegistrySource => Path.Combine(DataDir, "registry-source");

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["REGISTRY_URL"] = RegistrySource,
    };

    /// <summary>Writes the registry as the catalog the app starts with (call before the host starts) and as the sync source.</summary>
    public void UseRegistry(ModelFileServer server, params TestPreset[] presets)
    {
        TestRegistry.Write(Path.Combine(DataDir, "registry"), server, presets);
        TestRegistry.Write(RegistrySource, server, presets);
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, string id) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/presets/{id}/status");

    /// <summary>Waits until the preset's install has ended (installed, or failed) and answers its status.</summary>
    public static async Task<JsonElement> InstalledAsync(HttpClient client, string id, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var s = await StatusAsync(client, id);
            if (s.GetProperty("status").GetString() is "installed" or "failed") return s;
            if (DateTime.UtcNow > until) Assert.Fail($"Timed out waiting for preset {id} to install; last seen: {s}");
            await Task.Delay(50);
        }
    }

    public static async Task<JsonElement> InstallAsync(HttpClient client, string id, object? body = null)
    {
        var response = await client.PostAsJsonAsync($"/api/presets/{id}/install", body ?? new { });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<HttpResponseMessage> UninstallAsync(HttpClient client, string id, object body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/presets/{id}") { Content = JsonContent.Create(body) });

    public static string Sha256Of(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}
