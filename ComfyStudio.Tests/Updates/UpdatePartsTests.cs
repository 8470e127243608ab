using System.Text.Json.Nodes;
using ComfyStudio.Release;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Updates;
using ComfyStudio.Services.Versions;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Tests.Updates;

/// <summary>The update's parts on their own: version order, the merge, crash recovery, backups, the release tool's manifest.</summary>
public sealed class UpdatePartsTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("update-parts");

    [Theory]
    [InlineData("\"11.10.0\"", "\"11.9.2\"", true)]
    [InlineData("\"11.9.2\"", "\"11.10.0\"", false)]
    [InlineData("\"1.2\"", "\"1.2.0\"", false)]
    [InlineData("\"1.2.1\"", "\"1.2\"", true)]
    [InlineData("\"v2.0.0\"", "\"1.9.9\"", true)]
    [InlineData("22", "21", true)]
    [InlineData("21", "21", false)]
    [InlineData("20", "21", false)]
    [InlineData("\"3\"", "3", false)]           // the same version, whatever the JSON type
    [InlineData("3", "\"3\"", false)]
    [InlineData("\"v3.0\"", "3", false)]
    [InlineData("\"4\"", "3", true)]
    [InlineData("3", "\"3.0.1\"", false)]
    [InlineData("\"beta\"", "\"alpha\"", true)] // not dotted integers: differs
    [InlineData("\"beta\"", "\"beta\"", false)]
    [InlineData("1", null, true)]               // missing locally
    [InlineData(null, "1", false)]              // not in the release
    public void Versions_compare_as_dotted_integers_or_integers(string? remote, string? local, bool newer) =>
        Assert.Equal(newer, ReleaseComponents.IsNewer(remote is null ? null : JsonNode.Parse(remote), local is null ? null : JsonNode.Parse(local)));

    [Fact]
    public void The_merged_manifest_takes_deployed_entries_from_the_release_and_keeps_the_rest_local()
    {
        var installed = VersionManifest.Parse(ReleaseSource.Manifest());
        var remote = VersionManifest.Parse(ReleaseSource.Manifest("0.2.0", 1, ("runtime", 2), ("frontend", "0.2.0"), ("models", 2), ("loras", 2)));

        var merged = VersionManifest.Parse(StudioUpdaterMerge(installed, remote, ["models"]));

        Assert.Equal("0.2.0", merged.AppVersion);
        Assert.Equal(1, merged.MinRuntime);
        Assert.Equal("2", merged.Component("models")!.VersionText);
        Assert.Equal("0.1.0", merged.Component("frontend")!.VersionText); // skipped: local entry
        Assert.Equal("1", merged.Component("loras")!.VersionText);
        Assert.Equal("1", merged.Component("runtime")!.VersionText);      // never deployed
    }

    private static string StudioUpdaterMerge(VersionManifest installed, VersionManifest remote, string[] deployed) =>
        StudioUpdater.Merge(installed, remote, deployed).ToJsonString();

    [Theory]
    [InlineData(0, null)]
    [InlineData(-3, null)]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    [InlineData(25, 25)]
    [InlineData(200, 200)]
    [InlineData(int.MaxValue, UpdateCheck.MaxHours)] // more than a year is clamped, not an overflow
    public void The_check_interval_is_the_hours_asked_for_and_zero_turns_it_off(int hours, int? expected) =>
        Assert.Equal(expected is { } h ? TimeSpan.FromHours(h) : null, UpdateCheck.Interval(hours));

    [Fact]
    public async Task The_toggles_start_with_runtime_backend_frontend_models_and_workflows_on_and_are_saved()
    {
        await using var db = await TestDatabase.CreateAsync();
        var preferences = new UpdatePreferences(db.Factory, TimeProvider.System);

        var selected = await preferences.SelectedAsync();
        Assert.Equal(["backend", "frontend", "models", "runtime", "workflows"], selected.Order(StringComparer.Ordinal));
        Assert.Equal(["loras", "llm_models", "chrome_extension"], UpdatePreferences.SkipListFor(selected));

        await preferences.SaveAsync(["runtime", "chrome_extension"]);
        Assert.Equal(["chrome_extension", "runtime"], (await preferences.SelectedAsync()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_deploy_interrupted_by_a_crash_is_undone_or_finished_at_the_next_start(bool committed)
    {
        var studio = Path.Combine(_dir, "studio");
        Directory.CreateDirectory(Path.Combine(studio, "frontend.previous-run1"));
        File.WriteAllText(Path.Combine(studio, "frontend.previous-run1", "old.txt"), "old");
        Directory.CreateDirectory(Path.Combine(studio, "frontend"));
        File.WriteAllText(Path.Combine(studio, "frontend", "new.txt"), "new");
        Directory.CreateDirectory(Path.Combine(studio, "backend")); // had no previous copy: new in this deploy
        Directory.CreateDirectory(Path.Combine(studio, "workflows.staging-run1"));
        const string newManifest = """{"app_version": "0.2.0"}""";
        File.WriteAllText(Path.Combine(studio, "version.json"), committed ? newManifest : """{"app_version": "0.1.0"}""");
        File.WriteAllText(Path.Combine(studio, ".update-journal.json"), new JsonObject
        {
            ["run"] = "run1",
            ["targets"] = new JsonArray(
                new JsonObject { ["path"] = Path.Combine(studio, "frontend"), ["had_previous"] = true },
                new JsonObject { ["path"] = Path.Combine(studio, "backend"), ["had_previous"] = false },
                new JsonObject { ["path"] = Path.Combine(studio, "workflows"), ["had_previous"] = true }),
            ["version_json"] = newManifest,
        }.ToJsonString());

        Deployer(studio).RecoverInterrupted();

        Assert.Equal(committed, File.Exists(Path.Combine(studio, "frontend", "new.txt")));
        Assert.Equal(!committed, File.Exists(Path.Combine(studio, "frontend", "old.txt")));
        Assert.Equal(committed, Directory.Exists(Path.Combine(studio, "backend")));
        Assert.False(Directory.Exists(Path.Combine(studio, "frontend.previous-run1")));
        Assert.False(Directory.Exists(Path.Combine(studio, "workflows.staging-run1")));
        Assert.False(File.Exists(Path.Combine(studio, ".update-journal.json")));
    }

    [Fact]
    public void Copies_left_beside_the_components_are_removed_at_start()
    {
        var studio = Path.Combine(_dir, "studio");
        foreach (var leftover in new[] { "frontend.staging-ab12", "backend.previous-cd34", "workflows/templates.discarded-ef56" })
            Directory.CreateDirectory(Path.Combine(studio, leftover));
        Directory.CreateDirectory(Path.Combine(studio, "catalogs"));
        File.WriteAllText(Path.Combine(studio, "catalogs", "models.json.previous-aa11"), "{}");
        File.WriteAllText(Path.Combine(studio, "catalogs", "models.json"), "{}");
        Directory.CreateDirectory(Path.Combine(studio, "backend.failed-20261123"));

        Deployer(studio).RecoverInterrupted();

        Assert.False(Directory.Exists(Path.Combine(studio, "frontend.staging-ab12")));
        Assert.False(Directory.Exists(Path.Combine(studio, "backend.previous-cd34")));
        Assert.False(Directory.Exists(Path.Combine(studio, "workflows", "templates.discarded-ef56")));
        Assert.False(File.Exists(Path.Combine(studio, "catalogs", "models.json.previous-aa11")));
        Assert.True(File.Exists(Path.Combine(studio, "catalogs", "models.json")));
        Assert.True(Directory.Exists(Path.Combine(studio, "backend.failed-20261123"))); // kept for a look
    }

    [Fact]
    public void The_release_tool_commits_only_to_a_bare_repository()
    {
        var work = Path.Combine(_dir, "work");
        LibGit2Sharp.Repository.Init(work);
        var tree = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(tree);
        File.WriteAllText(Path.Combine(tree, "version.json"), ReleaseSource.Manifest());
        Assert.Throws<InvalidOperationException>(() => ReleaseBuilder.CommitTo(work, "main", tree, "release"));
        var sha = ReleaseBuilder.CommitTo(Path.Combine(_dir, "bare.git"), "main", tree, "release");
        Assert.Equal(40, sha.Length);
    }

    [Theory]
    [InlineData("0.2.0", true)]
    [InlineData("0.1.0", false)]  // the built-in build (this repository's version.json) is as new: a newer image wins
    [InlineData("0.0.9", false)]
    public void A_deployed_backend_runs_only_when_it_is_newer_than_the_built_in_one(string deployed, bool runs)
    {
        var dir = Path.Combine(_dir, "backend-" + deployed);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "version.json"), ReleaseSource.Manifest(deployed, 0, ("backend", deployed)));
        Assert.Equal(runs, ComfyStudio.Web.Hosting.BackendLauncher.NewerThanBuiltIn(dir));
    }

    private static ComponentDeployer Deployer(string studio)
    {
        var options = Options.Create(new StudioOptions { StudioDir = studio });
        return new ComponentDeployer(options, new ReleaseRepository(options, NullLogger<ReleaseRepository>.Instance),
            new LocalVersion(options, NullLogger<LocalVersion>.Instance), [], NullLogger<ComponentDeployer>.Instance);
    }

    [Fact]
    public async Task Backups_are_online_copies_and_only_the_last_three_are_kept()
    {
        var studio = new StudioOptions { StudioDir = Path.Combine(_dir, "studio") };
        Directory.CreateDirectory(studio.DatabaseDir);
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={studio.DatabasePath};Pooling=False"))
        {
            await db.OpenAsync();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (42);";
            await cmd.ExecuteNonQueryAsync();
        }
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        var backup = new DatabaseBackup(Options.Create(studio), clock, NullLogger<DatabaseBackup>.Instance);
        var made = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            made.Add(await backup.CreateAsync());
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(made.Skip(2), backup.List());
        await using var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={made[^1]};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        using var read = copy.CreateCommand();
        read.CommandText = "SELECT x FROM t";
        Assert.Equal(42L, await read.ExecuteScalarAsync());
    }

    [Fact]
    public void The_release_tool_writes_the_versions_asked_for_with_the_release_date_and_location_hints()
    {
        var template = VersionManifest.Parse(ReleaseSource.Manifest());
        var manifest = ReleaseBuilder.Manifest(new ReleaseRequest
        {
            RepoRoot = _dir, Output = _dir, AppVersion = "2.0.0", MinRuntime = 2, Date = "2026-12-01 08:00",
            Versions = new Dictionary<string, string> { ["models"] = "5", ["workflows"] = "1.4" },
        }, template);

        Assert.Equal("2.0.0", manifest.AppVersion);
        Assert.Equal(2, manifest.MinRuntime);
        Assert.Equal("2.0.0", manifest.Component("backend")!.VersionText);  // follows the app version
        Assert.Equal("backend/", manifest.Component("backend")!.Dir);
        Assert.Equal("2026-12-01 08:00", manifest.Component("backend")!.Date);
        Assert.Equal(5L, manifest.Component("models")!.Version!.GetValue<long>()); // digits: an integer
        Assert.Equal("catalogs/models.json", manifest.Component("models")!.File);
        Assert.Equal("1.4", manifest.Component("workflows")!.Version!.GetValue<string>());
        Assert.Equal("2026-11-22 10:00", manifest.Component("loras")!.Date); // untouched
        Assert.Null(manifest.Component("runtime")!.Dir);
    }

    [Fact]
    public async Task The_release_tool_builds_a_tree_whose_catalogs_match_their_components()
    {
        var repo = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "catalogs"));
        File.WriteAllText(Path.Combine(repo, "version.json"), ReleaseSource.Manifest());
        File.WriteAllText(Path.Combine(repo, "catalogs", "models.json"), """{"version": 1, "categories": [{"id": "vae", "models": [{"file": "a"}]}]}""");
        Directory.CreateDirectory(Path.Combine(repo, "chrome-extension", "src"));
        File.WriteAllText(Path.Combine(repo, "chrome-extension", "src", "manifest.json"), "{}");
        var backend = Path.Combine(_dir, "published");
        Directory.CreateDirectory(backend);
        File.WriteAllText(Path.Combine(backend, "ComfyStudio.Web.dll"), "not really");
        var output = Path.Combine(_dir, "out");

        await ReleaseBuilder.BuildAsync(new ReleaseRequest
        {
            RepoRoot = repo, Output = output, AppVersion = "0.5.0", BackendFrom = backend,
            Versions = new Dictionary<string, string> { ["models"] = "9" },
        }, TextWriter.Null);

        var models = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "catalogs", "models.json")))!;
        Assert.Equal(9, models["version"]!.GetValue<int>());
        Assert.Single(models["categories"]![0]!["models"]!.AsArray());
        Assert.Equal(1, JsonNode.Parse(File.ReadAllText(Path.Combine(output, "catalogs", "loras.json")))!["version"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(output, "frontend", ".keep")));
        Assert.True(File.Exists(Path.Combine(output, "chrome-extension", "src", "manifest.json")));
        Assert.Equal("0.5.0", VersionManifest.Parse(File.ReadAllText(Path.Combine(output, "version.json"))).AppVersion);
        Assert.Equal(File.ReadAllText(Path.Combine(output, "version.json")), File.ReadAllText(Path.Combine(output, "backend", "version.json")));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ReleaseBuilder.BuildAsync(new ReleaseRequest { RepoRoot = repo, Output = output, BackendFrom = backend }, TextWriter.Null));
    }

    public void Dispose() => TestPaths.TryDelete(_dir);
}
