using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Updates;
using ComfyStudio.Services.Versions;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.Updates;

/// <summary>The System API's self-update routes: the remote release's version and the update itself.</summary>
[ApiController]
[Route("api/admin/system")]
public sealed class UpdatesController(IOptions<StudioOptions> options, ILogger<UpdatesController> logger) : ControllerBase
{
    public sealed record UpdateRequest([property: JsonPropertyName("skip_components")] List<string?>? SkipComponents);

    /// <summary>
    /// Fetches the release repository and answers its version.json beside the local one. Any failure (no
    /// <c>REPO_URL</c> included) is the System API's 500 "Cannot fetch remote version", the reason in the log and in <c>details</c>.
    /// </summary>
    [HttpGet("remote-version")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status500InternalServerError)]
    public async Task<ReleaseVersions> RemoteVersion(
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
        return new ReleaseVersions(fetched.Manifest.ToJson(), local.Read().ToJson());
    }

    /// <summary>
    /// Deploys every component newer in the release, except <c>skip_components</c> and the runtime. Runs as a
    /// Hangfire job and answers when it is done; after a backend update the app restarts into the new backend.
    /// </summary>
    [HttpPost("update")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status500InternalServerError)]
    public async Task<UpdateResource> Update(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateRequest? request,
        [FromServices] UpdateRuns runs, CancellationToken ct)
    {
        var skip = ReleaseComponents.ValidateSkipList(request?.SkipComponents);
        if (string.IsNullOrWhiteSpace(options.Value.RepoUrl))
        {
            // The System API's failed update, before a job is started for nothing.
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
        return UpdateResource.From(result); // after a backend update the app restarts itself a second later (UpdateRestarter)
    }
}
