using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Updates;

namespace ComfyStudio.Web.Api.Updates;

/// <summary>
/// The System API's answer to an update: what was deployed and whether the app restarts. A release that needs a newer
/// runtime is <c>blocked</c> (with both runtimes); otherwise <c>debug</c> carries the two manifests compared.
/// </summary>
public sealed record UpdateResource(
    IReadOnlyList<string> Updated, bool RestartNeeded,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Blocked, string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RemoteMinRuntime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LocalRuntime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UpdateResource.Manifests? Debug)
{
    public sealed record Manifests(JsonNode? LocalVersionJson, JsonNode? RemoteVersionJson);

    public static UpdateResource From(UpdateResult r) => r.Blocked
        ? new(r.Updated, r.RestartNeeded, true, r.Message, r.RemoteMinRuntime, r.LocalRuntime, null)
        : new(r.Updated, r.RestartNeeded, null, r.Message, null, null,
            new Manifests(r.LocalVersionJson is null ? null : JsonNode.Parse(r.LocalVersionJson),
                r.RemoteVersionJson is null ? null : JsonNode.Parse(r.RemoteVersionJson)));
}
