using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComfyStudio.Release;
using ComfyStudio.Tests.Hosting;
using ComfyStudio.Tests.Infrastructure;

namespace ComfyStudio.Tests.Updates;

/// <summary>
/// End to end, as real processes: two releases built with the release tool, the app started from release 1,
/// release 2 served from a bare repository, an update, and the restarted app running release 2's backend.
/// </summary>
public sealed class SelfUpdateProcessTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("self-update");

    [Fact]
    public async Task An_update_restarts_the_app_into_the_new_release()
    {
        var repoRoot = RestartProcessTests.RepoRoot();
        var release1 = Path.Combine(_dir, "release-1");
        var release2 = Path.Combine(_dir, "release-2");
        var remote = Path.Combine(_dir, "remote.git");
        var log = new StringWriter();
        // Release 1 is published for real; release 2 ships the same build under a new version, with a new catalog.
        await ReleaseBuilder.BuildAsync(new ReleaseRequest { RepoRoot = repoRoot, Output = release1, AppVersion = "1.0.0" }, log);
        await ReleaseBuilder.BuildAsync(new ReleaseRequest
        {
            RepoRoot = repoRoot, Output = release2, AppVersion = "1.1.0", BackendFrom = Path.Combine(release1, "backend"),
            Versions = new Dictionary<string, string> { ["models"] = "7" },
        }, log);
        ReleaseBuilder.CommitTo(remote, "main", release1, "Release 1.0.0");
        ReleaseBuilder.CommitTo(remote, "main", release2, "Release 1.1.0");

        using var app = new StudioProcess(Path.Combine(release1, "backend", "ComfyStudio.Web.dll"), Path.Combine(_dir, "pod"),
            new Dictionary<string, string> { ["REPO_URL"] = remote });
        var first = await app.UptimeAsync(TimeSpan.FromSeconds(90));
        var status = await app.Http.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("1.0.0", status.GetProperty("app_version").GetString());

        var response = await app.Http.PostAsJsonAsync("/api/admin/system/update", new { skip_components = Array.Empty<string>() });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync() + "\n" + app.Output);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var updated = body.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("backend", updated);
        Assert.Contains("models", updated);
        Assert.True(body.GetProperty("restart_needed").GetBoolean());

        var after = await app.UptimeAsync(TimeSpan.FromSeconds(90), notPid: first.GetProperty("pid").GetInt32());
        status = await app.Http.GetFromJsonAsync<JsonElement>("/api/admin/system/status");
        Assert.Equal("1.1.0", status.GetProperty("app_version").GetString());
        Assert.Equal(7, status.GetProperty("components").GetProperty("models").GetProperty("version").GetInt32());
        // The process answering now runs the deployed backend, not release 1's.
        var commandLine = StudioProcess.CommandLine(after.GetProperty("pid").GetInt32());
        Assert.Contains(Path.Combine(app.StudioDir, "backend", "ComfyStudio.Web.dll"), commandLine);
        Assert.Single(Directory.GetFiles(Path.Combine(app.StudioDir, "database", "backups"), "studio-*.db"));
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
