using System.Text.Json.Nodes;

namespace ComfyStudio.Web.Api.Updates;

/// <summary>The System API's <c>GET /api/admin/system/remote-version</c>: the release's <c>version.json</c> beside the local one.</summary>
public sealed record ReleaseVersions(JsonObject Remote, JsonObject Local);
