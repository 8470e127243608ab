using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Settings;
using ComfyStudio.Web.Api.Auth;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Settings;

/// <summary>The System API's settings: the download concurrency and the environment variables (masked, editable, revealable).</summary>
[ApiController]
[Route("api/admin/settings")]
public sealed class SettingsController(StudioSettings settings) : ControllerBase
{
    public sealed record SettingsResource(int MaxConcurrent);
    public sealed record SettingsUpdate(int? MaxConcurrent);
    public sealed record EnvList(IReadOnlyList<EnvGroupView> Groups);
    public sealed record EnvUpdate(string? Key, string? Value);
    public sealed record EnvUpdated(string Key, string Value);
    public sealed record RevealRequest(string? ApiKey);

    [HttpGet]
    public SettingsResource Get() => new(settings.MaxConcurrent);

    /// <summary>Sets <c>max_concurrent</c> (clamped to 1-10): saved and applied at once.</summary>
    [HttpPut]
    public async Task<SettingsResource> Put(SettingsUpdate update, CancellationToken ct)
    {
        if (update.MaxConcurrent is { } n) await settings.SetMaxConcurrentAsync(n, ct);
        return new SettingsResource(settings.MaxConcurrent);
    }

    [HttpGet("env")]
    public EnvList Env() => new(settings.EnvGroups());

    /// <summary>
    /// Changes an editable variable (API_KEY, CIVITAI_API_KEY, HF_TOKEN, TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_NAME); any
    /// other key is a 400. Only the main key may change them. The answer echoes the value as the System API shows it.
    /// </summary>
    [HttpPut("env")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status403Forbidden)]
    [Authorize(Policy = StudioClaims.PrimaryOnlyPolicy)]
    public async Task<EnvUpdated> PutEnv(EnvUpdate update, CancellationToken ct)
    {
        await settings.SetEnvAsync(update.Key, update.Value, ct);
        return new EnvUpdated(update.Key!, update.Value ?? "");
    }

    /// <summary>Every secret in full; the body must carry the main API key again (403 otherwise).</summary>
    [HttpPost("reveal")]
    [ProducesResponseType<IReadOnlyDictionary<string, string>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status403Forbidden)]
    [Authorize(Policy = StudioClaims.PrimaryOnlyPolicy)]
    public async Task<IActionResult> Reveal(RevealRequest request, CancellationToken ct)
    {
        var client = ClientAddress.Of(HttpContext);
        var outcome = await settings.RevealAsync(request.ApiKey, User.Identity?.Name ?? client, client, ct);
        if (outcome.RetryAfter is { } wait)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new StudioException(ErrorCodes.RateLimitExceeded, "Too many wrong API keys; try again later");
        }
        var secrets = outcome.Secrets ?? throw new StudioException(ErrorCodes.Forbidden, "The API key does not match");
        Response.Headers.CacheControl = "no-store";
        return Ok(secrets); // keys as they are (API_KEY, HF_TOKEN…): dictionary keys are not renamed
    }
}
