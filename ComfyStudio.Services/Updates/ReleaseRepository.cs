using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// The staging clone of the release repository (<c>STUDIO_DIR/.repo</c>, bare), driven by LibGit2Sharp. Fetches are
/// shallow where the transport allows it (network URLs; libgit2's local transport does not), time-boxed, and a fetch
/// that fails (a rewritten history, a damaged clone) is answered by a fresh clone. Files are read from the fetched
/// commit's tree, never from a checkout. Decisions come from LibGit2Sharp's results and exception types, not from
/// git's text.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process; disposing its gate at shutdown would race the jobs still stopping, and a SemaphoreSlim without a wait handle holds nothing to release")]
public sealed class ReleaseRepository(IOptions<StudioOptions> options, ILogger<ReleaseRepository> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private StudioOptions Studio => options.Value;
    private string ClonePath => Studio.ReleaseCloneDir;

    /// <summary>Fetches <c>REPO_BRANCH</c> of <c>REPO_URL</c> and reads its <c>version.json</c>.</summary>
    /// <exception cref="UpdateFailedException">The repository cannot be reached, has no such branch, or its version.json is missing or malformed.</exception>
    public async Task<FetchedRelease> FetchAsync(CancellationToken ct = default)
    {
        var url = Studio.RepoUrl?.Trim();
        if (string.IsNullOrEmpty(url)) throw new UpdateFailedException("REPO_URL is not set");
        var branch = string.IsNullOrWhiteSpace(Studio.RepoBranch) ? "main" : Studio.RepoBranch.Trim();
        if (!Reference.IsValidName("refs/heads/" + branch)) throw new UpdateFailedException($"REPO_BRANCH '{branch}' is not a valid branch name");
        var limit = TimeSpan.FromSeconds(Math.Max(5, Studio.UpdateFetchTimeoutSeconds));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var work = Task.Run(async () =>
        {
            await _gate.WaitAsync(CancellationToken.None); // an abandoned fetch finishes (or cancels) before the next one starts
            try { return FetchLocked(url, branch, timeout.Token); }
            finally { _gate.Release(); }
        }, CancellationToken.None);
        try
        {
            return await work.WaitAsync(limit + TimeSpan.FromSeconds(5), ct);
        }
        catch (TimeoutException)
        {
            throw new UpdateFailedException($"Fetching the release repository took longer than {limit.TotalSeconds:0} s");
        }
        catch (UserCancelledException) when (!ct.IsCancellationRequested)
        {
            throw new UpdateFailedException($"Fetching the release repository took longer than {limit.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not (UpdateFailedException or OperationCanceledException))
        {
            // A lock file left by a crash, a folder that cannot be replaced, anything libgit2 reports: one kind of failure.
            throw new UpdateFailedException("Cannot fetch the release repository: " + e.Message, e);
        }
    }

    /// <summary>The URL without its user info, fit for a log line.</summary>
    private static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? url.Replace(uri.UserInfo + "@", "", StringComparison.Ordinal) : url;

    private FetchedRelease FetchLocked(string url, string branch, CancellationToken ct)
    {
        var remoteRef = $"refs/remotes/origin/{branch}";
        if (Repository.IsValid(ClonePath))
        {
            try
            {
                using var repo = new Repository(ClonePath);
                if (repo.Network.Remotes["origin"] is { } origin && origin.Url == url)
                {
                    Commands.Fetch(repo, "origin", [$"+refs/heads/{branch}:{remoteRef}"], FetchOptions(url, ct), null);
                    var tip = repo.Refs[remoteRef]?.ResolveToDirectReference()
                              ?? throw new UpdateFailedException($"The release repository has no branch '{branch}'");
                    if (tip.Target is Commit commit) return Read(commit); // a tree or file gone from the clone throws NotFoundException: cloned again below
                    // A fetch that finds the ref current transfers nothing, even when the clone has lost the commit it
                    // names (a full disk, a bad copy): LibGit2Sharp then finds no object behind the ref.
                    logger.LogWarning("The staging clone lacks commit {Commit} of {Branch}; cloning again", tip.TargetIdentifier[..7], branch);
                }
                else
                {
                    logger.LogInformation("The staging clone follows another repository; cloning {Url} afresh", Shown(url));
                }
            }
            catch (LibGit2SharpException e) when (e is not UserCancelledException && !ct.IsCancellationRequested)
            {
                // A rewritten history on a shallow clone, a damaged object store, a half-written clone: start over.
                logger.LogWarning("Fetching into the staging clone failed ({Reason}); cloning again", e.Message);
            }
        }
        return Clone(url, branch, remoteRef, ct);
    }

    private FetchedRelease Clone(string url, string branch, string remoteRef, CancellationToken ct)
    {
        var fresh = ClonePath + ".new-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var cloneOptions = new CloneOptions(FetchOptions(url, ct)) { IsBare = true, BranchName = branch, Checkout = false };
            try
            {
                Repository.Clone(url, fresh, cloneOptions);
            }
            catch (NotFoundException e)
            {
                throw new UpdateFailedException($"The release repository has no branch '{branch}'", e);
            }
            catch (LibGit2SharpException e) when (e is not UserCancelledException)
            {
                throw new UpdateFailedException("Cannot clone the release repository: " + e.Message, e);
            }
            FileSystemSwap.DeleteDirectory(ClonePath);
            Directory.Move(fresh, ClonePath);
            using var repo = new Repository(ClonePath);
            // A bare clone names the branch refs/heads/<branch>; keep the same remote-tracking name as a fetch would.
            var tip = (repo.Refs[remoteRef] ?? repo.Refs["refs/heads/" + branch])?.ResolveToDirectReference()?.Target as Commit
                      ?? throw new UpdateFailedException($"The release repository has no branch '{branch}'");
            repo.Refs.Add(remoteRef, tip.Id, allowOverwrite: true);
            return Read(tip);
        }
        finally
        {
            FileSystemSwap.DeleteDirectory(fresh);
        }
    }

    private static FetchedRelease Read(Commit commit)
    {
        if (commit[LocalVersion.FileName]?.Target is not Blob blob)
            throw new UpdateFailedException("The release has no version.json");
        try
        {
            var manifest = VersionManifest.Parse(blob.GetContentText());
            if (manifest.Components.Count == 0) throw new FormatException("it lists no components");
            return new FetchedRelease(commit.Sha, manifest);
        }
        catch (FormatException e)
        {
            throw new UpdateFailedException("The release's version.json is malformed: " + e.Message, e);
        }
    }

    /// <summary>
    /// Writes files and folders of a fetched commit to their destinations (which must not exist), all under one hold
    /// of the clone so no fetch replaces it half-way. Only regular files and folders are written, under names git could
    /// check out on any system: symbolic links and submodules are skipped, and names such as <c>..</c> or <c>.git</c>
    /// fail the extraction.
    /// </summary>
    public async Task ExtractAllAsync(string commitSha, IReadOnlyList<(string Source, bool IsDirectory, string Destination)> parts, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            foreach (var (source, isDirectory, destination) in parts)
                await ExtractLockedAsync(commitSha, source, isDirectory, destination, ct);
        }
        catch (Exception e) when (e is LibGit2SharpException or StagingCloneDamagedException)
        {
            // The fetch read only version.json; a file of the release that the clone has lost (a full disk, a bad copy)
            // shows only now. The clone goes, so the next fetch clones afresh instead of failing the same way for ever.
            logger.LogWarning("The staging clone cannot give the release's files ({Reason}); removing it so that the next fetch clones again", e.Message);
            FileSystemSwap.DeleteDirectory(ClonePath);
            throw e as StagingCloneDamagedException ?? new StagingCloneDamagedException("The staging clone is damaged: " + e.Message, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ExtractLockedAsync(string commitSha, string source, bool isDirectory, string destination, CancellationToken ct)
    {
        {
            using var repo = new Repository(ClonePath);
            var commit = repo.Lookup<Commit>(commitSha) ?? throw new StagingCloneDamagedException($"Commit {commitSha[..7]} is no longer in the staging clone");
            var entry = commit[source];
            if (entry is null)
                throw new UpdateFailedException($"The release has no {source}{(isDirectory ? "/" : "")}");
            if (isDirectory)
            {
                if (entry.Target is not Tree tree) throw new UpdateFailedException($"{source} in the release is not a folder");
                Directory.CreateDirectory(destination);
                await WriteTreeAsync(tree, destination, source, ct);
            }
            else
            {
                if (entry.Target is not Blob blob || entry.Mode is Mode.SymbolicLink) throw new UpdateFailedException($"{source} in the release is not a file");
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await WriteBlobAsync(blob, destination, executable: false, ct);
            }
        }
    }

    private async Task WriteTreeAsync(Tree tree, string folder, string shownPath, CancellationToken ct)
    {
        foreach (var entry in tree)
        {
            ct.ThrowIfCancellationRequested();
            var name = entry.Name;
            if (name is "." or ".." || name.Contains('/') || name.Contains('\\') || name.Contains('\0')
                || name.Equals(".git", StringComparison.OrdinalIgnoreCase))
                throw new UpdateFailedException($"The release holds an unsafe name '{name}' in {shownPath}/");
            var path = Path.Combine(folder, name);
            switch (entry.Mode)
            {
                case Mode.Directory:
                    Directory.CreateDirectory(path);
                    await WriteTreeAsync((Tree)entry.Target, path, shownPath + "/" + name, ct);
                    break;
                case Mode.NonExecutableFile or Mode.NonExecutableGroupWritableFile:
                    await WriteBlobAsync((Blob)entry.Target, path, executable: false, ct);
                    break;
                case Mode.ExecutableFile:
                    await WriteBlobAsync((Blob)entry.Target, path, executable: true, ct);
                    break;
                default:
                    logger.LogWarning("Skipping {Path} in the release: a {Kind} is not deployed", shownPath + "/" + name, entry.Mode);
                    break;
            }
        }
    }

    private static async Task WriteBlobAsync(Blob blob, string path, bool executable, CancellationToken ct)
    {
        await using (var source = blob.GetContentStream())
        await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
        {
            await source.CopyToAsync(target, ct);
            target.Flush(flushToDisk: true);
        }
        if (executable && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    private static FetchOptions FetchOptions(string url, CancellationToken ct)
    {
        var options = new FetchOptions
        {
            TagFetchMode = TagFetchMode.None,
            OnTransferProgress = _ => !ct.IsCancellationRequested,
            OnProgress = _ => !ct.IsCancellationRequested,
            RepositoryOperationStarting = _ => !ct.IsCancellationRequested,
        };
        if (IsNetworkUrl(url, out var uri))
        {
            options.Depth = 1; // libgit2's local transport cannot fetch shallow; network ones can
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                var parts = uri.UserInfo.Split(':', 2);
                var user = Uri.UnescapeDataString(parts[0]);
                var password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
                options.CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = user, Password = password };
            }
        }
        return options;
    }

    private static bool IsNetworkUrl(string url, out Uri uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri!) && uri.Scheme is "http" or "https" or "ssh" or "git";
}
