using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComfyStudio.Services.Versions;
using LibGit2Sharp;

namespace ComfyStudio.Release;

/// <summary>
/// Builds a release tree: <c>backend/</c> (<c>dotnet publish</c> of the web app), <c>frontend/</c>, <c>catalogs/</c>,
/// <c>workflows/</c>, <c>chrome-extension/</c> and a <c>version.json</c> in the System API's format, so that a maintainer can
/// commit it to the release repository (<see cref="CommitTo"/>) and installs can update from it.
/// </summary>
public static class ReleaseBuilder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Catalog components: their file in the release and in this repository.</summary>
    private static readonly (string Component, string File)[] Catalogs =
        [("models", "catalogs/models.json"), ("loras", "catalogs/loras.json"), ("llm_models", "catalogs/llm.json")];

    public static async Task<VersionManifest> BuildAsync(ReleaseRequest request, TextWriter log, CancellationToken ct = default)
    {
        var repo = Path.GetFullPath(request.RepoRoot);
        var output = Path.GetFullPath(request.Output);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new InvalidOperationException($"{output} is not empty");
        Directory.CreateDirectory(output);

        var manifest = Manifest(request, VersionManifest.Parse(await File.ReadAllTextAsync(Path.Combine(repo, "version.json"), ct)));

        var backend = Path.Combine(output, "backend");
        if (request.BackendFrom is { } from)
        {
            await log.WriteLineAsync($"backend: copying {from}");
            CopyDirectory(from, backend, skipVersionFile: true);
        }
        else
        {
            await log.WriteLineAsync("backend: dotnet publish");
            await PublishAsync(Path.Combine(repo, "ComfyStudio.Web", "ComfyStudio.Web.csproj"), request.Runtime, backend, log, ct);
        }

        CopyOrEmpty(Path.Combine(repo, "frontend"), Path.Combine(output, "frontend"));
        CopyOrEmpty(Path.Combine(repo, "workflows"), Path.Combine(output, "workflows"));
        CopyOrEmpty(Path.Combine(repo, "chrome-extension", "src"), Path.Combine(output, "chrome-extension", "src"));
        foreach (var (component, file) in Catalogs)
            await WriteCatalogAsync(Path.Combine(repo, file), Path.Combine(output, file), manifest.Component(component), ct);

        var json = manifest.ToJson().ToJsonString(Indented);
        await File.WriteAllTextAsync(Path.Combine(output, "version.json"), json, ct);
        await File.WriteAllTextAsync(Path.Combine(backend, "version.json"), json, ct); // the backend knows the release it belongs to
        await log.WriteLineAsync($"release {manifest.AppVersion} written to {output}");
        return manifest;
    }

    /// <summary>The release's manifest: the repository's, with the requested versions, dates and location hints.</summary>
    public static VersionManifest Manifest(ReleaseRequest request, VersionManifest template)
    {
        var date = request.Date ?? DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var versions = new Dictionary<string, string>(request.Versions, StringComparer.Ordinal);
        if (request.AppVersion is { } app)
        {
            versions.TryAdd("backend", app);
            versions.TryAdd("frontend", app);
        }
        var components = new Dictionary<string, ComponentVersion>(StringComparer.Ordinal);
        foreach (var name in VersionManifest.KnownComponents.Concat(template.Components.Keys).Concat(versions.Keys).Distinct())
        {
            var entry = template.Component(name) ?? new ComponentVersion(JsonValue.Create(0), date, null, null);
            if (versions.TryGetValue(name, out var v))
                entry = entry with { Version = long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(v), Date = date };
            entry = name switch
            {
                "runtime" => entry with { Dir = null, File = null },
                "backend" or "frontend" or "workflows" => entry with { Dir = name + "/", File = null },
                "chrome_extension" => entry with { Dir = "chrome-extension/", File = null },
                _ => Catalogs.FirstOrDefault(c => c.Component == name) is { File: { } f } ? entry with { Dir = null, File = f } : entry,
            };
            components[name] = entry;
        }
        return new VersionManifest(request.AppVersion ?? template.AppVersion, date, request.MinRuntime ?? template.MinRuntime, components);
    }

    private static async Task PublishAsync(string project, string runtime, string destination, TextWriter log, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", project, "-c", "Release", "-r", runtime, "--self-contained", "false", "-o", destination, "--nologo", "-p:UseAppHost=false" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet publish did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        await log.WriteLineAsync((await stdout).Trim().Split('\n').LastOrDefault());
    }

    /// <summary>A catalog from the repository, or an empty one; its own <c>version</c> and <c>date</c> match its component.</summary>
    private static async Task WriteCatalogAsync(string source, string destination, ComponentVersion? component, CancellationToken ct)
    {
        var catalog = File.Exists(source) && JsonNode.Parse(await File.ReadAllTextAsync(source, ct)) is JsonObject o
            ? o : new JsonObject { ["categories"] = new JsonArray() };
        catalog["version"] = component?.Version?.DeepClone();
        catalog["date"] = component?.Date;
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        await File.WriteAllTextAsync(destination, catalog.ToJsonString(Indented), ct);
    }

    /// <summary>Copies a folder, or makes an empty one that git keeps (a <c>.keep</c> file).</summary>
    private static void CopyOrEmpty(string source, string destination)
    {
        if (Directory.Exists(source)) CopyDirectory(source, destination, skipVersionFile: false);
        Directory.CreateDirectory(destination);
        if (!Directory.EnumerateFileSystemEntries(destination).Any()) File.WriteAllText(Path.Combine(destination, ".keep"), "");
    }

    private static void CopyDirectory(string source, string destination, bool skipVersionFile)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            var relative = Path.GetRelativePath(source, file);
            if (skipVersionFile && relative == "version.json") continue;
            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// Commits a release tree to <paramref name="branch"/> of a git repository (created bare when absent), on top of
    /// the branch's tip — or as a new root commit with <paramref name="newHistory"/>, which rewrites the branch.
    /// Returns the commit id. Pushing it to the public release repository is the maintainer's step.
    /// </summary>
    public static string CommitTo(string repositoryPath, string branch, string tree, string message, bool newHistory = false)
    {
        if (!Repository.IsValid(repositoryPath)) Repository.Init(repositoryPath, isBare: true);
        using var repo = new Repository(repositoryPath);
        if (!repo.Info.IsBare)
            throw new InvalidOperationException($"{repositoryPath} has a working tree; commit releases to a bare repository (git init --bare) and push from there");
        var definition = new TreeDefinition();
        var root = Path.GetFullPath(tree);
        foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            var executable = !OperatingSystem.IsWindows() && File.GetUnixFileMode(file).HasFlag(UnixFileMode.UserExecute);
            definition.Add(relative, repo.ObjectDatabase.CreateBlob(file), executable ? Mode.ExecutableFile : Mode.NonExecutableFile);
        }
        var signature = new Signature("ComfyStudio release", "release@comfystudio.invalid", DateTimeOffset.UtcNow);
        var reference = "refs/heads/" + branch;
        var parent = newHistory ? null : repo.Refs[reference]?.ResolveToDirectReference()?.Target as Commit;
        var commit = repo.ObjectDatabase.CreateCommit(signature, signature, message, repo.ObjectDatabase.CreateTree(definition),
            parent is null ? [] : [parent], prettifyMessage: true);
        repo.Refs.Add(reference, commit.Id, allowOverwrite: true);
        repo.Refs.UpdateTarget("HEAD", reference);
        return commit.Sha;
    }
}
