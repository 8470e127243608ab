using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComfyStudio.Release;
using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Updates;

/// <summary>
/// End to end, as real processes: two releases built with the release tool, the app started from release 1,
/// release 2 served from a bare repository, an update, and the restarted app running release 2's backend —
/// started by the plain <c>dotnet</c> launch, and by the Docker entrypoint's restart loop.
/// </summary>
public sealed class SelfUpdateProcessTests(SelfUpdateProcessTests.Releases releases) : IClassFixture<SelfUpdateProcessTests.Releases>, IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("self-update");

    /// <summary>
    /// Built once for the class: release 1 published for real, release 2 the same build under a new version, with a new catalog.
    /// </summary>
    public sealed class Releases : IAsyncLifetime
    {
        private readonly string _dir = TestPaths.NewTempDir("releases");
        public string Release1 => Path.Combine(_dir, "release-1");
        public string Release2 => Path.Combine(_dir, "release-2");
        public string BuiltInDll => Path.Combine(Release1, "backend", "ComfyStudio.Web.dll");

        public async Task InitializeAsync()
        {
            var repoRoot = TestPaths.RepoRoot();
            var log = new StringWriter();
            await ReleaseBuilder.BuildAsync(new ReleaseRequest { RepoRoot = repoRoot, Output = Release1, AppVersion = "1.0.0" }, log);
            await ReleaseBuilder.BuildAsync(new ReleaseRequest
            {
                RepoRoot = repoRoot, Output = Release2, AppVersion = "1.1.0", BackendFrom = Path.Combine(Release1, "backend"),
                Versions = new Dictionary<string, string> { ["models"] = "7" },
            }, log);
        }

        /// <summary>A bare repository in <paramref name="dir"/> whose branch holds release 1, then release 2.</summary>
        public string Remote(string dir)
        {
            var remote = Path.Combine(dir, "remote.git");
            ReleaseBuilder.CommitTo(remote, "main", Release1, "Release 1.0.0");
            ReleaseBuilder.CommitTo(remote, "main", Release2, "Release 1.1.0");
            return remote;
        }

        public Task DisposeAsync()
        {
            TestPaths.TryDelete(_dir);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task An_update_restarts_the_app_into_the_new_release()
    {
        using var app = new StudioProcess(releases.BuiltInDll, Path.Combine(_dir, "pod"),
            new Dictionary<string, string> { ["REPO_URL"] = releases.Remote(_dir) });
        var first = await app.UptimeAsync(TimeSpan.FromSeconds(90));
        var status = await app.Http.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("1.0.0", status.GetProperty("app_version").GetString());

        await UpdateAsync(app);

        var after = await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: first.GetProperty("pid").GetInt32());
        status = await app.Http.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("1.1.0", status.GetProperty("app_version").GetString());
        Assert.Equal(7, status.GetProperty("components").GetProperty("models").GetProperty("version").GetInt32());
        // The process answering now runs the deployed backend, not release 1's.
        var commandLine = StudioProcess.CommandLine(after.GetProperty("pid").GetInt32());
        Assert.Contains(Path.Combine(app.StudioDir, "backend", "ComfyStudio.Web.dll"), commandLine);
        Assert.Single(Directory.GetFiles(Path.Combine(app.StudioDir, "database", "backups"), "studio-*.db"));
    }

    [Fact]
    public async Task The_docker_entrypoint_starts_the_app_again_when_it_exits_with_75_and_after_an_update_starts_the_deployed_backend()
    {
        const string Again = "ComfyStudio asked to be restarted; starting it again"; // the loop says it only for exit code 75
        var entrypoint = Path.Combine(TestPaths.RepoRoot(), "docker", "entrypoint.sh");
        // The image's environment (RESTART_MODE=exit, RUNTIME_VERSION), with release 1 as the built-in app in place of /app.
        using var app = StudioProcess.Launcher(["sh", entrypoint], Path.Combine(_dir, "pod"), new Dictionary<string, string>
        {
            ["COMFYSTUDIO_BUILTIN"] = releases.BuiltInDll,
            ["RESTART_MODE"] = DockerfileEnv("RESTART_MODE"),
            ["RUNTIME_VERSION"] = DockerfileEnv("RUNTIME_VERSION"),
            ["REPO_URL"] = releases.Remote(_dir),
        });
        var loop = app.First.Id;
        var first = (await app.UptimeAsync(TimeSpan.FromSeconds(90))).GetProperty("pid").GetInt32();
        Assert.NotEqual(loop, first); // the app runs as the loop's child, in its process group
        Assert.Equal(loop, StudioProcess.ProcessGroup(first));
        Assert.Contains(releases.BuiltInDll, StudioProcess.CommandLine(first));

        // A restart: the app exits with 75, and the loop starts it again on the same port as a new process.
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync("/api/admin/system/restart", null)).StatusCode);
        var second = (await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: first)).GetProperty("pid").GetInt32();
        Assert.Null(StudioProcess.ProcessGroup(first)); // gone
        Assert.Equal(loop, StudioProcess.ProcessGroup(second));
        Assert.Contains(releases.BuiltInDll, StudioProcess.CommandLine(second));
        Assert.Contains("ComfyStudio: exiting with code 75", app.Output);
        Assert.Equal(1, Regex.Count(app.Output, Regex.Escape(Again)));
        Assert.False(app.First.HasExited, "the loop goes on");

        // An update with a new backend: the next round starts STUDIO_DIR/backend, which reports release 2.
        await UpdateAsync(app);
        var third = (await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: second)).GetProperty("pid").GetInt32();
        Assert.Equal(loop, StudioProcess.ProcessGroup(third));
        Assert.Contains(Path.Combine(app.StudioDir, "backend", "ComfyStudio.Web.dll"), StudioProcess.CommandLine(third));
        var status = await app.Http.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("1.1.0", status.GetProperty("app_version").GetString());
        Assert.Equal(2, Regex.Count(app.Output, Regex.Escape(Again)));
    }

    /// <summary>Updates from release 2 and checks that the backend was deployed and a restart asked for.</summary>
    private static async Task UpdateAsync(StudioProcess app)
    {
        var response = await app.Http.PostAsJsonAsync("/api/admin/system/update", new { skip_components = Array.Empty<string>() });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync() + "\n" + app.Output);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var updated = body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("backend", updated);
        Assert.Contains("models", updated);
        Assert.True(body.GetProperty("restart_needed").GetBoolean());
    }

    /// <summary>A variable the Dockerfile's <c>ENV</c> sets, so the test runs the loop as the image does.</summary>
    private static string DockerfileEnv(string name)
    {
        var dockerfile = File.ReadAllText(Path.Combine(TestPaths.RepoRoot(), "Dockerfile"));
        var match = Regex.Match(dockerfile, $@"^\s*(?:ENV\s+)?{name}=(\S+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"the Dockerfile sets {name}");
        return match.Groups[1].Value;
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
