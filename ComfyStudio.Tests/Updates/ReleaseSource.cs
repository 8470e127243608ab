using System.Text.Json.Nodes;
using ComfyStudio.Release;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Updates;

/// <summary>
/// A release repository for the tests: a local bare git repository that releases are committed to with the
/// release tool's <see cref="ReleaseBuilder.CommitTo"/>.
/// </summary>
public sealed class ReleaseSource : IDisposable
{
    public string Root { get; } = TestPaths.NewTempDir("release");
    public string Url => Path.Combine(Root, "remote.git");

    /// <summary>
    /// Commits a release whose version.json is <paramref name="manifest"/> (text, so tests can also commit a broken one)
    /// holding <paramref name="files"/> (path → content).
    /// </summary>
    public string Publish(string manifest, IReadOnlyDictionary<string, string>? files = null, bool newHistory = false)
    {
        var tree = Path.Combine(Root, "tree-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tree);
        File.WriteAllText(Path.Combine(tree, "version.json"), manifest);
        foreach (var (path, content) in files ?? new Dictionary<string, string>())
        {
            var full = Path.Combine(tree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        var sha = ReleaseBuilder.CommitTo(Url, "main", tree, "release", newHistory);
        Directory.Delete(tree, recursive: true);
        return sha;
    }

    /// <summary>A manifest like the repository's version.json (app 0.1.0, backend/frontend "0.1.0", catalogs and workflows 1) with changes.</summary>
    public static string Manifest(string app = "0.1.0", int minRuntime = 0, params (string Component, object Version)[] versions)
    {
        var components = new JsonObject
        {
            ["runtime"] = new JsonObject { ["version"] = 1, ["date"] = "2026-11-22 10:00" },
            ["backend"] = Entry("0.1.0", dir: "backend/"),
            ["frontend"] = Entry("0.1.0", dir: "frontend/"),
            ["models"] = Entry(1, file: "catalogs/models.json"),
            ["loras"] = Entry(1, file: "catalogs/loras.json"),
            ["llm_models"] = Entry(1, file: "catalogs/llm.json"),
            ["workflows"] = Entry(1, dir: "workflows/"),
            ["chrome_extension"] = Entry(1, dir: "chrome-extension/"),
        };
        foreach (var (component, version) in versions)
        {
            var entry = components[component] as JsonObject ?? new JsonObject();
            entry["version"] = JsonValue.Create(version);
            entry["date"] = "2026-11-24 09:00";
            components[component] = entry;
        }
        return new JsonObject { ["app_version"] = app, ["date"] = "2026-11-24 09:00", ["min_runtime"] = minRuntime, ["components"] = components }.ToJsonString();

        static JsonObject Entry(object version, string? dir = null, string? file = null)
        {
            var o = new JsonObject { ["version"] = JsonValue.Create(version), ["date"] = "2026-11-22 10:00" };
            if (dir is not null) o["dir"] = dir;
            if (file is not null) o["file"] = file;
            return o;
        }
    }

    /// <summary>Files of a release where every deployable component is present.</summary>
    public static Dictionary<string, string> AllComponents(string tag) => new()
    {
        ["backend/ComfyStudio.Web.txt"] = "backend " + tag,
        ["backend/lib/extra.txt"] = "lib " + tag,
        ["frontend/hello.txt"] = "frontend " + tag,
        ["catalogs/models.json"] = """{"version": 2, "categories": [{"id": "vae", "models": [{"file": "a.safetensors", "dest": "vae"}, {"file": "b.safetensors", "dest": "vae"}]}]}""",
        ["catalogs/loras.json"] = """{"version": 2, "categories": [{"id": "style", "models": [{"file": "l.safetensors"}]}]}""",
        ["catalogs/llm.json"] = """{"version": 2, "categories": [{"id": "chat", "models": [{"file": "m.gguf"}, {"file": "n.gguf"}, {"file": "o.gguf"}]}]}""",
        ["workflows/t2i-" + tag + "/workflow.json"] = "{}",
        ["chrome-extension/src/manifest.json"] = """{"manifest_version": 3, "name": "ComfyStudio", "version": "9.9.9"}""",
    };

    public void Dispose() => TestPaths.TryDelete(Root);
}
