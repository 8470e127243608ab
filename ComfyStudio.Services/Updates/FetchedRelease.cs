using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>A fetched release: the commit of <c>REPO_BRANCH</c> and its <c>version.json</c>.</summary>
public sealed record FetchedRelease(string Commit, VersionManifest Manifest);
