using System.CommandLine;

namespace ComfyStudio.Release;

/// <summary>dotnet run --project tools/ComfyStudio.Release -- --output DIR [--app-version 1.2.0] [--set models=3] [--commit-to REPO]</summary>
internal static class ReleaseCli
{
    private static async Task<int> Main(string[] args)
    {
        var output = new Option<string>("--output") { Description = "Where to write the release tree (absent or empty)", Required = true };
        var repoRoot = new Option<string?>("--repo-root") { Description = "This repository's root (default: found upwards from the working directory)" };
        var appVersion = new Option<string?>("--app-version") { Description = "The release's app_version; backend and frontend follow it unless --set" };
        var set = new Option<string[]>("--set") { Description = "A component version, name=value (repeatable): digits make an integer", AllowMultipleArgumentsPerToken = true };
        var minRuntime = new Option<int?>("--min-runtime") { Description = "The lowest runtime (Docker image) version the release needs" };
        var backendFrom = new Option<string?>("--backend-from") { Description = "Copy this published backend instead of running dotnet publish" };
        var date = new Option<string?>("--date") { Description = "Release date, yyyy-MM-dd HH:mm (default: now, UTC)" };
        var commitTo = new Option<string?>("--commit-to") { Description = "Commit the tree to this git repository (created bare if absent), ready to push" };
        var runtime = new Option<string>("--runtime") { Description = "Platform to publish the backend for", DefaultValueFactory = _ => "linux-x64" };
        var branch = new Option<string>("--branch") { Description = "Branch for --commit-to", DefaultValueFactory = _ => "main" };

        var root = new RootCommand("Builds a ComfyStudio release tree: backend/, frontend/, catalogs/, workflows/, chrome-extension/, version.json")
        {
            output, repoRoot, appVersion, set, minRuntime, backendFrom, date, runtime, commitTo, branch,
        };
        root.SetAction(async (r, ct) =>
        {
            var versions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in r.GetValue(set) ?? [])
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    await Console.Error.WriteLineAsync($"--set wants name=value, got '{pair}'");
                    return 2;
                }
                versions[parts[0]] = parts[1];
            }
            var repo = r.GetValue(repoRoot) ?? FindRepoRoot();
            if (repo is null)
            {
                await Console.Error.WriteLineAsync("Cannot find the repository root (ComfyStudio.sln); pass --repo-root");
                return 2;
            }
            var request = new ReleaseRequest
            {
                RepoRoot = repo, Output = r.GetValue(output)!, AppVersion = r.GetValue(appVersion), Versions = versions,
                MinRuntime = r.GetValue(minRuntime), BackendFrom = r.GetValue(backendFrom), Date = r.GetValue(date), Runtime = r.GetValue(runtime)!,
            };
            try
            {
                var manifest = await ReleaseBuilder.BuildAsync(request, Console.Out, ct);
                if (r.GetValue(commitTo) is { } target)
                {
                    var sha = ReleaseBuilder.CommitTo(target, r.GetValue(branch)!, request.Output, $"Release {manifest.AppVersion}");
                    Console.WriteLine($"committed {sha[..7]} to {r.GetValue(branch)} of {target}");
                }
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or FormatException or LibGit2Sharp.LibGit2SharpException)
            {
                await Console.Error.WriteLineAsync("release: " + e.Message);
                return 1;
            }
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ComfyStudio.sln"))) return dir.FullName;
        return null;
    }
}
