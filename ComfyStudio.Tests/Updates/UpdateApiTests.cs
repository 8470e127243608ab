using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ComfyStudio.Services.Logging;
using ComfyStudio.Services.Updates;
using ComfyStudio.Tests.Infrastructure;
using ComfyStudio.Web.Hosting;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace ComfyStudio.Tests.Updates;

/// <summary>The System API's remote-version and update against local bare repositories built in the test.</summary>
public sealed class UpdateApiTests : IDisposable
{
    private readonly ReleaseSource _source = new();
    private readonly List<IDisposable> _hosts = [];

    /// <summary>Told before each component is swapped in; a test makes it throw or wait.</summary>
    public sealed class DeployHook : IDeployObserver
    {
        public Action<string>? OnSwap { get; set; }
        public void BeforeSwap(string component) => OnSwap?.Invoke(component);
    }

    public sealed class UpdateFactory(string repoUrl, int runtime, IReadOnlyDictionary<string, string?>? settings = null) : StudioFactory
    {
        public DeployHook Hook { get; } = new();
        public RecordingRestart Restart { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["REPO_URL"] = repoUrl,
            ["RUNTIME_VERSION"] = runtime.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["UPDATE_FETCH_TIMEOUT_SECONDS"] = "30", // a fetch that hangs fails with its reason before the test's client gives up
            ["Telemetry:NvidiaSmiPath"] = "/nonexistent/nvidia-smi",
            ["COMFYUI_URL"] = "http://127.0.0.1:9",
        }.Concat(settings ?? new Dictionary<string, string?>()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);

        protected override void ConfigureTestServices(IServiceCollection services)
        {
            services.AddSingleton<IDeployObserver>(Hook);
            services.AddSingleton<IStudioRestart>(Restart);
        }

        public string Studio(params string[] parts) => Path.Combine([DataDir, .. parts]);
    }

    private UpdateFactory Host(string? repoUrl = null, int runtime = 1, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var host = new UpdateFactory(repoUrl ?? _source.Url, runtime, settings);
        _hosts.Add(host);
        return host;
    }

    /// <summary>The app's log lines so far (the in-memory ring the logs API serves).</summary>
    private static List<string> Log(UpdateFactory host) =>
        host.Services.GetRequiredService<LogRing>().Tail(LogRing.DefaultCapacity).Select(e => e.Message).ToList();

    /// <summary>
    /// Removes every object file of the staging clone, or writes garbage in its place, leaving its folders, refs and
    /// config: it still opens as a repository. Each file is replaced, never rewritten in place: a clone of a local
    /// repository hard-links the remote's objects.
    /// </summary>
    private static void DamageObjects(UpdateFactory host, bool garbage)
    {
        var files = Directory.GetFiles(host.Studio(".repo", "objects"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            File.Delete(file);
            if (garbage) File.WriteAllBytes(file, [0x78, 0x9c, 0xde, 0xad, 0xbe, 0xef]);
        }
        Assert.True(LibGit2Sharp.Repository.IsValid(host.Studio(".repo")));
        File.WriteAllText(host.Studio(".repo", "damaged"), "gone once the clone is replaced");
    }

    /// <summary>Lays out a complete install at the repository's versions (every component on disk), so only version changes count.</summary>
    private static void Installed(UpdateFactory host)
    {
        foreach (var (path, content) in new Dictionary<string, string>
                 {
                     ["frontend/index.txt"] = "frontend r1",
                     ["catalogs/models.json"] = """{"version": 1, "categories": []}""",
                     ["catalogs/loras.json"] = """{"version": 1, "categories": []}""",
                     ["catalogs/llm.json"] = """{"version": 1, "categories": []}""",
                     ["workflows/templates/t2i-r1/workflow.json"] = "{}",
                     ["chrome-extension/src/manifest.json"] = "{}",
                 })
        {
            var full = host.Studio(path.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
    }

    private static Task<HttpResponseMessage> UpdateAsync(HttpClient client, object? body = null) =>
        client.PostAsJsonAsync("/api/admin/system/update", body ?? new { });

    [Fact]
    public async Task Remote_version_answers_the_fetched_release_beside_the_local_one()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("backend", "0.2.0")));
        var client = Host().CreateKeyClient();

        var body = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");

        Assert.Equal("0.2.0", body.GetProperty("remote").GetProperty("app_version").GetString());
        Assert.Equal(0, body.GetProperty("remote").GetProperty("min_runtime").GetInt32());
        Assert.Equal("0.2.0", body.GetProperty("remote").GetProperty("components").GetProperty("backend").GetProperty("version").GetString());
        Assert.Equal("2026-11-24 09:00", body.GetProperty("remote").GetProperty("components").GetProperty("backend").GetProperty("date").GetString());
        Assert.Equal("0.1.0", body.GetProperty("local").GetProperty("app_version").GetString());
        Assert.Equal("0.1.0", body.GetProperty("local").GetProperty("components").GetProperty("backend").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Remote_version_fails_with_500_when_the_remote_is_missing_or_its_version_json_is_bad()
    {
        var missing = Host(Path.Combine(_source.Root, "no-such.git")).CreateKeyClient();
        var body = await ErrorAssert.IsErrorBody(await missing.GetAsync("/api/admin/system/remote-version"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Equal("Cannot fetch remote version", body.GetProperty("detail").GetString());

        _source.Publish("{ not json");
        var corrupt = Host().CreateKeyClient();
        body = await ErrorAssert.IsErrorBody(await corrupt.GetAsync("/api/admin/system/remote-version"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Equal("Cannot fetch remote version", body.GetProperty("detail").GetString());
        var update = await ErrorAssert.IsErrorBody(await UpdateAsync(corrupt), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.StartsWith("Update failed: The release's version.json is malformed", update.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Without_a_release_repository_remote_version_and_update_fail_with_500_and_the_reason_is_logged()
    {
        var host = Host(repoUrl: "");
        var client = host.CreateKeyClient();

        var body = await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/system/remote-version"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Equal("Cannot fetch remote version", body.GetProperty("detail").GetString());
        Assert.Equal("REPO_URL is not set", body.GetProperty("error").GetProperty("details").GetProperty("reason").GetString());
        Assert.Contains(Log(host), m => m == "Cannot fetch remote version: REPO_URL is not set");

        var update = await ErrorAssert.IsErrorBody(await UpdateAsync(client), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Equal("Update failed: REPO_URL is not set", update.GetProperty("detail").GetString());
        Assert.Contains(Log(host), m => m == "Update failed: REPO_URL is not set");
        Assert.False(File.Exists(host.Studio("version.json")));
        // A bad skip list is still a bad request first.
        await ErrorAssert.IsErrorBody(await UpdateAsync(client, new { skip_components = new[] { "nonsense" } }), HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task A_remote_that_never_answers_fails_remote_version_once_the_fetch_time_limit_has_passed()
    {
        // A server that takes the connection and never says a word: libgit2's HTTP transport waits on it for ever.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await listener.AcceptSocketAsync();
                    lock (held) held.Add(socket);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var host = Host($"http://127.0.0.1:{port}/r.git", settings: new Dictionary<string, string?> { ["UPDATE_FETCH_TIMEOUT_SECONDS"] = "5" });
            var client = host.CreateKeyClient();
            _ = host.Services; // started before the clock runs

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var response = await client.GetAsync("/api/admin/system/remote-version");
            clock.Stop();

            var body = await ErrorAssert.IsErrorBody(response, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
            Assert.Equal("Cannot fetch remote version", body.GetProperty("detail").GetString());
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4) && clock.Elapsed <= TimeSpan.FromSeconds(30), // 5 s, and a grace for the fetch to notice
                $"answered after {clock.Elapsed.TotalSeconds:0.0} s: {body}; {string.Join(" | ", Log(host).Where(m => m.Contains("fetch", StringComparison.OrdinalIgnoreCase) || m.Contains("clone", StringComparison.OrdinalIgnoreCase)))}");
            lock (held) Assert.NotEmpty(held); // the fetch did connect (a network URL: a shallow clone); the limit ended it
            Assert.Contains(Log(host), m => m == "Cannot fetch remote version: Fetching the release repository took longer than 5 s");
            Assert.False(Directory.Exists(host.Studio(".repo")));
        }
        finally
        {
            listener.Stop();
            lock (held) foreach (var socket in held) socket.Dispose(); // the abandoned fetch hears the connection close and ends
            await accepting;
        }
    }

    [Fact]
    public async Task Update_deploys_every_newer_component_backs_up_the_database_and_asks_for_a_restart()
    {
        var host = Host();
        var client = host.CreateKeyClient();
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("backend", "0.2.0"), ("frontend", "0.2.0"), ("models", 2), ("loras", 2),
            ("llm_models", 2), ("workflows", 2), ("chrome_extension", 2)), ReleaseSource.AllComponents("r2"));

        var response = await UpdateAsync(client);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["backend", "frontend", "models", "loras", "llm_models", "workflows", "chrome_extension"],
            body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(body.GetProperty("restart_needed").GetBoolean());
        Assert.Equal("Updated: backend, frontend, models, loras, llm_models, workflows, chrome_extension", body.GetProperty("message").GetString());
        Assert.Equal("0.1.0", body.GetProperty("debug").GetProperty("local_version_json").GetProperty("app_version").GetString());
        Assert.Equal("0.2.0", body.GetProperty("debug").GetProperty("remote_version_json").GetProperty("app_version").GetString());
        Assert.False(body.TryGetProperty("blocked", out _));

        Assert.Equal("backend r2", File.ReadAllText(host.Studio("backend", "ComfyStudio.Web.txt")));
        Assert.Equal("lib r2", File.ReadAllText(host.Studio("backend", "lib", "extra.txt")));
        Assert.True(File.Exists(host.Studio("workflows", "templates", "t2i-r2", "workflow.json")));
        Assert.Contains("9.9.9", File.ReadAllText(host.Studio("chrome-extension", "src", "manifest.json")));
        // Frontend files are served ahead of the built-in ones at once; catalogs and workflows count without a restart.
        Assert.Equal("frontend r2", await host.CreateAnonymousClient().GetStringAsync("/hello.txt"));
        // After a backend update maintenance lasts until the process is replaced (here a recorded restart: end it by hand).
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/system/status"), HttpStatusCode.ServiceUnavailable, "MAINTENANCE");
        host.Services.GetRequiredService<MaintenanceMode>().Leave();
        var status = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("0.2.0", status.GetProperty("app_version").GetString());
        var components = status.GetProperty("components");
        Assert.Equal(71, components.GetProperty("models").GetProperty("count").GetInt32()); // models count the preset catalog's files
        Assert.Equal(3, components.GetProperty("llm_models").GetProperty("count").GetInt32());
        Assert.Equal(1, components.GetProperty("workflows").GetProperty("count").GetInt32());

        var local = JsonDocument.Parse(File.ReadAllText(host.Studio("version.json"))).RootElement;
        Assert.Equal("0.2.0", local.GetProperty("components").GetProperty("backend").GetProperty("version").GetString());
        Assert.Equal(1, local.GetProperty("components").GetProperty("runtime").GetProperty("version").GetInt32());
        Assert.Single(Directory.GetFiles(host.Studio("database", "backups"), "studio-*.db"));
        Assert.Equal(["the backend was updated"], host.Restart.Reasons);
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.DataDir, "*.previous-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.DataDir, "*.staging-*", SearchOption.AllDirectories));

        var events = await client.GetFromJsonAsync<JsonElement>("/api/admin/events?types=system.updated");
        Assert.Contains(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "system.updated");
        // The update ran as a Hangfire job, visible with its result.
        var monitor = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.Contains(monitor.SucceededJobs(0, 20), j => j.Value.Job.Type == typeof(StudioUpdater));
    }

    [Fact]
    public async Task Skipped_components_stay_as_they_are_and_keep_their_local_version_entry()
    {
        var host = Host();
        Installed(host);
        var client = host.CreateKeyClient();
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0"), ("models", 2), ("loras", 2)), ReleaseSource.AllComponents("r2"));

        var body = await (await UpdateAsync(client, new { skip_components = new[] { "frontend", "loras" } })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["models"], body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.False(body.GetProperty("restart_needed").GetBoolean());
        Assert.False(File.Exists(host.Studio("frontend", "hello.txt")));
        Assert.Contains("\"version\": 1", File.ReadAllText(host.Studio("catalogs", "loras.json")));
        var local = JsonDocument.Parse(File.ReadAllText(host.Studio("version.json"))).RootElement.GetProperty("components");
        Assert.Equal("0.1.0", local.GetProperty("frontend").GetProperty("version").GetString());
        Assert.Equal(1, local.GetProperty("loras").GetProperty("version").GetInt32());
        Assert.Equal(2, local.GetProperty("models").GetProperty("version").GetInt32());
        Assert.Empty(host.Restart.Reasons);

        // Asked again without the skip list, the skipped components are still newer there.
        body = await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["frontend", "loras"], body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Theory]
    [InlineData("""{"skip_components": ["models", "nonsense"]}""")]
    [InlineData("""{"skip_components": "models"}""")]
    [InlineData("""{"skip_components": [1]}""")]
    [InlineData("{\"skip_components\": [")]
    public async Task A_bad_skip_list_is_refused_with_400(string json)
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("models", 2)), ReleaseSource.AllComponents("r2"));
        var host = Host();
        var response = await host.CreateKeyClient().PostAsync("/api/admin/system/update", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await ErrorAssert.IsErrorBody(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.False(File.Exists(host.Studio("catalogs", "models.json")));
    }

    [Fact]
    public async Task An_update_that_needs_a_newer_runtime_is_blocked_and_changes_nothing()
    {
        _source.Publish(ReleaseSource.Manifest("0.3.0", 3, ("backend", "0.3.0"), ("models", 2)), ReleaseSource.AllComponents("r3"));
        var host = Host(runtime: 2);

        var body = await (await UpdateAsync(host.CreateKeyClient())).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(body.GetProperty("blocked").GetBoolean());
        Assert.Equal("Update requires Docker image runtime v3 (you have v2)", body.GetProperty("message").GetString());
        Assert.Equal(3, body.GetProperty("remote_min_runtime").GetInt32());
        Assert.Equal(2, body.GetProperty("local_runtime").GetInt32());
        Assert.Empty(body.GetProperty("updated").EnumerateArray());
        Assert.False(body.GetProperty("restart_needed").GetBoolean());
        Assert.False(Directory.Exists(host.Studio("backend")));
        Assert.False(File.Exists(host.Studio("version.json")));
    }

    [Fact]
    public async Task An_install_that_has_every_version_is_up_to_date()
    {
        _source.Publish(ReleaseSource.Manifest(), ReleaseSource.AllComponents("same"));
        var host = Host();
        Installed(host);
        var body = await (await UpdateAsync(host.CreateKeyClient())).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Everything up to date", body.GetProperty("message").GetString());
        Assert.Empty(body.GetProperty("updated").EnumerateArray());
        Assert.False(body.GetProperty("restart_needed").GetBoolean());
        Assert.True(body.TryGetProperty("debug", out _));
        Assert.False(File.Exists(host.Studio("version.json")));
    }

    [Fact]
    public async Task A_rewritten_history_and_a_damaged_staging_clone_are_fetched_again()
    {
        var host = Host();
        Installed(host);
        var client = host.CreateKeyClient();
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("models", 2)), ReleaseSource.AllComponents("r2"));
        Assert.Equal(["models"], (await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("updated").EnumerateArray().Select(e => e.GetString()!));

        // The maintainer force-pushes an unrelated history.
        _source.Publish(ReleaseSource.Manifest("0.3.0", 0, ("models", 3)), ReleaseSource.AllComponents("r3"), newHistory: true);
        var remote = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");
        Assert.Equal("0.3.0", remote.GetProperty("remote").GetProperty("app_version").GetString());
        Assert.Equal(["models"], (await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("updated").EnumerateArray().Select(e => e.GetString()!));

        // The staging clone loses its objects (a full disk, a bad copy): the next fetch clones afresh.
        Directory.Delete(host.Studio(".repo", "objects"), recursive: true);
        _source.Publish(ReleaseSource.Manifest("0.4.0", 0, ("models", 4)), ReleaseSource.AllComponents("r4"));
        remote = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");
        Assert.Equal("0.4.0", remote.GetProperty("remote").GetProperty("app_version").GetString());
    }

    [Fact]
    public async Task A_staging_clone_whose_objects_are_corrupt_is_cloned_again_when_the_fetch_fails()
    {
        _source.Publish(ReleaseSource.Manifest(), ReleaseSource.AllComponents("r1"));
        var host = Host();
        var client = host.CreateKeyClient();
        await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version"); // the staging clone exists
        DamageObjects(host, garbage: true);
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("models", 2)), ReleaseSource.AllComponents("r2"));

        var remote = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");

        Assert.Equal("0.2.0", remote.GetProperty("remote").GetProperty("app_version").GetString());
        Assert.Equal(2, remote.GetProperty("remote").GetProperty("components").GetProperty("models").GetProperty("version").GetInt32());
        // The fetch into the damaged clone threw, and the answer came from a fresh clone.
        Assert.Contains(Log(host), m => m.StartsWith("Fetching into the staging clone failed", StringComparison.Ordinal));
        Assert.False(File.Exists(host.Studio(".repo", "damaged")));
        var body = await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("models", body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_staging_clone_that_lost_the_commit_its_branch_points_at_is_cloned_again()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("models", 2)), ReleaseSource.AllComponents("r2"));
        var host = Host();
        var client = host.CreateKeyClient();
        await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");
        // The objects are gone, the ref that names them stays: the release has not moved, so the fetch transfers nothing.
        DamageObjects(host, garbage: false);

        var remote = await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");

        Assert.Equal("0.2.0", remote.GetProperty("remote").GetProperty("app_version").GetString());
        Assert.Contains(Log(host), m => m.StartsWith("The staging clone lacks commit", StringComparison.Ordinal));
        Assert.False(File.Exists(host.Studio(".repo", "damaged")));
        // The update reads the release's files from the fresh clone.
        var body = await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("models", body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("\"version\": 2", File.ReadAllText(host.Studio("catalogs", "models.json")));
    }

    [Fact]
    public async Task An_update_that_finds_a_file_of_the_release_missing_from_the_staging_clone_clones_again_and_deploys()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0")), ReleaseSource.AllComponents("r2"));
        var host = Host();
        var client = host.CreateKeyClient();
        await client.GetFromJsonAsync<JsonElement>("/api/admin/system/remote-version");
        // One file's object goes; the commit, its trees and version.json stay, so the next fetch finds nothing wrong.
        string lost;
        using (var repo = new LibGit2Sharp.Repository(host.Studio(".repo")))
        {
            var tip = (LibGit2Sharp.Commit)repo.Refs["refs/remotes/origin/main"]!.ResolveToDirectReference().Target;
            lost = tip["frontend/hello.txt"].Target.Sha;
        }
        var objectFile = host.Studio(".repo", "objects", lost[..2], lost[2..]);
        Assert.True(File.Exists(objectFile), "the test clone keeps loose objects");
        File.Delete(objectFile);

        var body = await (await UpdateAsync(client)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Contains("frontend", body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("frontend r2", File.ReadAllText(host.Studio("frontend", "hello.txt")));
        Assert.Contains(Log(host), m => m.StartsWith("The staging clone cannot give the release's files", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deploy_that_fails_half_way_puts_every_component_back()
    {
        var host = Host();
        var client = host.CreateKeyClient();
        // What is installed before: an older frontend and models catalog.
        Directory.CreateDirectory(host.Studio("frontend"));
        File.WriteAllText(host.Studio("frontend", "hello.txt"), "frontend r1");
        File.WriteAllText(host.Studio("catalogs", "models.json"), """{"version": 1, "categories": []}""");
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("backend", "0.2.0"), ("frontend", "0.2.0"), ("models", 2), ("workflows", 2)), ReleaseSource.AllComponents("r2"));
        host.Hook.OnSwap = c => { if (c == "workflows") throw new IOException("disk went away"); };

        var body = await ErrorAssert.IsErrorBody(await UpdateAsync(client), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");

        Assert.Equal("Update failed: disk went away", body.GetProperty("detail").GetString());
        Assert.False(Directory.Exists(host.Studio("backend")));
        Assert.Equal("frontend r1", File.ReadAllText(host.Studio("frontend", "hello.txt")));
        Assert.Single(Directory.GetFiles(host.Studio("frontend")));
        Assert.Equal("""{"version": 1, "categories": []}""", File.ReadAllText(host.Studio("catalogs", "models.json")));
        Assert.Empty(Directory.GetDirectories(host.Studio("workflows", "templates")));
        Assert.False(File.Exists(host.Studio("catalogs", "loras.json"))); // missing before, swapped in, taken out again
        Assert.False(File.Exists(host.Studio("catalogs", "llm.json")));
        Assert.False(File.Exists(host.Studio("version.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.DataDir, "*.previous-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.DataDir, "*.staging-*", SearchOption.AllDirectories));
        Assert.False(File.Exists(host.Studio(".update-journal.json")));
        Assert.Empty(host.Restart.Reasons);
        // Maintenance is over: the API answers again.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/events")).StatusCode);
        var events = await client.GetFromJsonAsync<JsonElement>("/api/admin/events?types=system.update.failed");
        Assert.Single(events.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task A_backend_update_restarts_the_app_even_when_nobody_waits_for_the_answer()
    {
        var host = Host();
        Installed(host);
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("backend", "0.2.0")), ReleaseSource.AllComponents("r2"));
        using (var scope = host.Services.CreateScope())
        {
            // The job run on its own (requeued from the dashboard, picked up after a crash): no API call waits for it.
            var result = await scope.ServiceProvider.GetRequiredService<StudioUpdater>().RunAsync([], null, CancellationToken.None);
            Assert.True(result.RestartNeeded);
        }
        await TestWait.UntilAsync(() => host.Restart.Reasons.Count == 1, what: "the restart");
        Assert.Equal("the backend was updated", host.Restart.Reasons[0]);
    }

    [Fact]
    public async Task A_fresh_install_gets_every_component_the_release_has_even_at_the_same_versions()
    {
        _source.Publish(ReleaseSource.Manifest(), ReleaseSource.AllComponents("first"));
        var host = Host();
        var body = await (await UpdateAsync(host.CreateKeyClient())).Content.ReadFromJsonAsync<JsonElement>();
        // Not the backend: the built-in one runs until a newer one is released.
        Assert.Equal(["frontend", "models", "loras", "llm_models", "workflows", "chrome_extension"], body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.False(body.GetProperty("restart_needed").GetBoolean());
        Assert.True(File.Exists(host.Studio("catalogs", "llm.json")));
        Assert.False(Directory.Exists(host.Studio("backend")));
    }

    [Fact]
    public async Task A_release_that_points_a_component_outside_its_folder_is_refused()
    {
        var host = Host();
        var manifest = ReleaseSource.Manifest("0.2.0", 0, ("models", 2)).Replace("catalogs/models.json", "../../outside.json");
        _source.Publish(manifest, new Dictionary<string, string> { ["catalogs/models.json"] = "{}" });
        var body = await ErrorAssert.IsErrorBody(await UpdateAsync(host.CreateKeyClient()), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Contains("unsafe location", body.GetProperty("detail").GetString());
        Assert.False(File.Exists(host.Studio("catalogs", "models.json")));
    }

    [Fact]
    public async Task While_deploying_the_api_answers_503_pages_say_updating_and_a_second_update_is_refused()
    {
        var host = Host();
        var client = host.CreateKeyClient();
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("models", 2)), ReleaseSource.AllComponents("r2"));
        using var reached = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var first = 0;
        host.Hook.OnSwap = _ =>
        {
            if (Interlocked.Exchange(ref first, 1) != 0) return; // hold the first swap only
            reached.Release();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        var update = UpdateAsync(client);
        Assert.True(await reached.WaitAsync(TimeSpan.FromSeconds(30)), "the deploy started");

        var busy = await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/events"), HttpStatusCode.ServiceUnavailable, "MAINTENANCE");
        Assert.Equal("System is updating, please wait...", busy.GetProperty("detail").GetString());
        var page = await host.CreateAnonymousClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("Updating…", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        await ErrorAssert.IsErrorBody(await client.GetAsync("/api/admin/system/remote-version"), HttpStatusCode.ServiceUnavailable, "MAINTENANCE");
        Assert.Throws<ComfyStudio.Services.Errors.StudioException>(() =>
            host.Services.GetRequiredService<UpdateRuns>().RunAsync([]).GetAwaiter().GetResult());
        // A second job (a retried request, a requeue from the dashboard) does not deploy beside the first.
        using (var scope = host.Services.CreateScope())
        {
            var second = await Assert.ThrowsAsync<UpdateFailedException>(() =>
                scope.ServiceProvider.GetRequiredService<StudioUpdater>().RunAsync([], null, CancellationToken.None));
            Assert.Equal("another update is running", second.Message);
        }
        // The way out stays open: a restart can always be asked for.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/admin/system/restart", null)).StatusCode);

        release.Release();
        Assert.Equal(HttpStatusCode.OK, (await update).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/events")).StatusCode);
    }

    [Fact]
    public async Task The_recurring_check_announces_a_release_once_and_is_scheduled_only_with_a_repository()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0")), ReleaseSource.AllComponents("r2"));
        var host = Host();
        Installed(host);
        var client = host.CreateKeyClient();
        using (var scope = host.Services.CreateScope())
        {
            var check = scope.ServiceProvider.GetRequiredService<UpdateCheck>();
            Assert.Equal(["frontend"], await check.RunAsync(CancellationToken.None));
            Assert.Equal(["frontend"], await check.RunAsync(CancellationToken.None));
        }
        await TestWait.UntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/admin/events?types=system.update.available"))
            .GetProperty("events").GetArrayLength() == 1, what: "the announcement");
        await TestWait.HoldsAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/admin/events?types=system.update.available"))
            .GetProperty("events").GetArrayLength() == 1, TimeSpan.FromMilliseconds(300), "one announcement for the same release");
        Assert.Equal(["frontend"], host.Services.GetRequiredService<UpdateNotice>().Available());

        using (var connection = host.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.Contains(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == UpdateCheck.RecurringJobId && j.Cron == UpdateCheck.Schedule);
        var off = Host(repoUrl: "");
        _ = off.Services; // started
        using (var connection = off.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.DoesNotContain(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == UpdateCheck.RecurringJobId);
    }

    [Fact]
    public async Task A_component_missing_from_disk_at_the_same_version_is_redeployed_but_never_announced_as_newer()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0")), ReleaseSource.AllComponents("r2"));
        var host = Host();
        Installed(host);
        Assert.Equal(HttpStatusCode.OK, (await UpdateAsync(host.CreateKeyClient())).StatusCode);
        Directory.Delete(host.Studio("frontend"), recursive: true);
        using (var scope = host.Services.CreateScope())
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<UpdateCheck>().RunAsync(CancellationToken.None));
        var notice = host.Services.GetRequiredService<UpdateNotice>();
        Assert.Empty(notice.Available()); // no banner for an update to the same version
        Assert.Equal(["frontend"], notice.Missing(notice.Last!.Remote));
        var again = await (await UpdateAsync(host.CreateKeyClient())).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("frontend", again.GetProperty("updated").EnumerateArray().Select(e => e.GetString()));
        Assert.True(Directory.Exists(host.Studio("frontend")));
    }

    [Fact]
    public async Task The_recurring_check_waits_the_configured_hours_even_when_they_do_not_divide_a_day()
    {
        _source.Publish(ReleaseSource.Manifest("0.2.0", 0, ("frontend", "0.2.0")), ReleaseSource.AllComponents("r2"));
        var host = Host(settings: new Dictionary<string, string?> { ["UPDATE_CHECK_HOURS"] = "25" });
        Installed(host);
        using (var connection = host.Services.GetRequiredService<JobStorage>().GetConnection())
            Assert.Contains(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == UpdateCheck.RecurringJobId && j.Cron == "0 * * * *");
        // The hourly runs are made by hand below: the scheduled one must not run between them.
        host.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(UpdateCheck.RecurringJobId);
        using var scope = host.Services.CreateScope();
        var check = scope.ServiceProvider.GetRequiredService<UpdateCheck>();

        Assert.Equal("Update available: frontend", await check.RunWhenDueAsync(CancellationToken.None)); // never checked: due at once
        var first = await check.LastCheckAsync();
        Assert.NotNull(first);
        Assert.StartsWith("Not due: last checked", await check.RunWhenDueAsync(CancellationToken.None));
        Assert.Equal(first, await check.LastCheckAsync());

        // A day later (where the old daily cron checked) it is still not due; 25 hours later (give or take the hourly run's start) it is.
        await LastCheckedAgoAsync(host, TimeSpan.FromHours(24));
        Assert.StartsWith("Not due", await check.RunWhenDueAsync(CancellationToken.None));
        await LastCheckedAgoAsync(host, TimeSpan.FromHours(25) - TimeSpan.FromMinutes(1));
        Assert.Equal("Update available: frontend", await check.RunWhenDueAsync(CancellationToken.None));
        Assert.True(await check.LastCheckAsync() > DateTime.UtcNow.AddMinutes(-1));

        // A check whose fetch fails still counts: the remote is asked again after the interval, not every hour.
        Directory.Delete(_source.Url, recursive: true);
        await LastCheckedAgoAsync(host, TimeSpan.FromHours(26));
        await Assert.ThrowsAsync<UpdateFailedException>(() => check.RunWhenDueAsync(CancellationToken.None));
        Assert.StartsWith("Not due", await check.RunWhenDueAsync(CancellationToken.None));
    }

    /// <summary>Sets the saved time of the last scheduled check (in the database, as a restarted app would find it).</summary>
    private static async Task LastCheckedAgoAsync(UpdateFactory host, TimeSpan ago)
    {
        var factory = host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ComfyStudio.Services.Data.StudioDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var row = await db.Settings.FindAsync(UpdateCheck.LastCheckSetting);
        Assert.NotNull(row);
        row.Value = DateTime.UtcNow.Subtract(ago).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        await db.SaveChangesAsync();
    }

    public void Dispose()
    {
        foreach (var h in _hosts) h.Dispose();
        _source.Dispose();
    }
}
