using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Updates;
using ComfyStudio.Services.Versions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.Updates;

/// <summary>Spec A's self-update routes: the remote release's version and the update itself.</summary>
[ApiController]
[Route("api/admin/system")]
public sealed class UpdatesController(IOptions<StudioOptions> options, ILogger<UpdatesController> logger) : ControllerBase
{
    public sealed record UpdateRequest([property: JsonPropertyName("skip_components")] List<string?>? SkipComponents);

    /// <summary>
    /// Fetches the release repository and answers its version.json beside the local one. Any failure (no
    /// <c>REPO_URL</c> included) is spec A's 500 "Cannot fetch remote version", the reason in the log and in <c>details</c>.
    /// </summary>
    [HttpGet("remote-version")]
    public async Task<JsonObject> RemoteVersion(
        [FromServices] ReleaseRepository repository, [FromServices] UpdateNotice notice, [FromServices] LocalVersion local, CancellationToken ct)
    {
        FetchedRelease fetched;
        try
        {
            fetched = await repository.FetchAsync(ct);
        }
        catch (UpdateFailedException e)
        {
            logger.LogError("Cannot fetch remote version: {Reason}", e.Message);
            throw new StudioException(ErrorCodes.InternalError, "Cannot fetch remote version", new Dictionary<string, object?> { ["reason"] = e.Message });
        }
        notice.Record(fetched);
        return new JsonObject { ["remote"] = fetched.Manifest.ToJson(), ["local"] = local.Read().ToJson() };
    }

    /// <summary>
    /// Deploys every component newer in the release, except <c>skip_components</c> and the runtime. Runs as a
    /// Hangfire job and answers when it is done; after a backend update the app restarts into the new backend.
    /// </summary>
    [HttpPost("update")]
    public async Task<JsonObject> Update(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateRequest? request,
        [FromServices] UpdateRuns runs, CancellationToken ct)
    {
        var skip = ReleaseComponents.ValidateSkipList(request?.SkipComponents);
        if (string.IsNullOrWhiteSpace(options.Value.RepoUrl))
        {
            // Spec A's failed update (facts §4.3 step 11), before a job is started for nothing.
            logger.LogError("Update failed: {Reason}", "REPO_URL is not set");
            throw new StudioException(ErrorCodes.InternalError, "Update failed: REPO_URL is not set");
        }
        UpdateResult result;
        try
        {
            result = await runs.RunAsync(skip, ct);
        }
        catch (UpdateFailedException e)
        {
            throw new StudioException(ErrorCodes.InternalError, "Update failed: " + e.Message);
        }
        return Shape(result); // after a backend update the app restarts itself a second later (UpdateRestarter)
    }

    /// <summary>The answer in spec A's shape.</summary>
    internal static JsonObject Shape(UpdateResult r)
    {
        var body = new JsonObject
        {
            ["updated"] = new JsonArray([.. r.Updated.Select(u => JsonValue.Create(u))]),
            ["restart_needed"] = r.RestartNeeded,
        };
        if (r.Blocked)
        {
            body["blocked"] = true;
            body["message"] = r.Message;
            body["remote_min_runtime"] = r.RemoteMinRuntime;
            body["local_runtime"] = r.LocalRuntime;
            return body;
        }
        body["message"] = r.Message;
        body["debug"] = new JsonObject
        {
            ["local_version_json"] = r.LocalVersionJson is null ? null : JsonNode.Parse(r.LocalVersionJson),
            ["remote_version_json"] = r.RemoteVersionJson is null ? null : JsonNode.Parse(r.RemoteVersionJson),
        };
        return body;
    }
}
