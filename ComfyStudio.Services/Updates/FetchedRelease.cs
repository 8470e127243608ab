using ComfyStudio.Services.Versions;

namespace ComfyStudio.Services.Updates;

/// <summary>A fetched release: the commit of <c>REPO_BRANCH</c> and its <c>version.json</c>.</summary>
public sealed record FetchedRelease(string Commit, VersionManifest Manifest);
