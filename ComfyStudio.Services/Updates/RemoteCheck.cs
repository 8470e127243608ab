using ComfyStudio.Services.Versions;

namespace ComfyStudio.Services.Updates;

/// <summary>The release seen by the last fetch, kept in <c>STUDIO_DIR/remote_version.json</c> (the original's file, with <c>_checked_at</c>).</summary>
public sealed record RemoteCheck(VersionManifest Remote, string Commit, DateTime CheckedAt);
