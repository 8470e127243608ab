using System.ComponentModel.DataAnnotations;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Formatting;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Keys;

/// <summary>Named API keys: list, create (the key is shown once), revoke. Only the primary key manages them,
/// so a leaked named key cannot mint its own replacement.</summary>
[ApiController]
[Microsoft.AspNetCore.Authorization.Authorize(Policy = ComfyStudio.Web.Api.Auth.StudioClaims.PrimaryOnlyPolicy)]
[Route("api/admin/keys")]
public sealed class KeysController(ApiKeyStore keys) : ControllerBase
{
    public sealed record KeyResource(string Name, string Prefix, string CreatedAt, string? LastUsedAt);
    public sealed record CreateKeyRequest([Required] string Name);
    public sealed record CreatedKey(string Name, string Key, string Message);
    public sealed record RevokedKey(string Status, string Name);

    /// <summary>One page of the named keys (never the keys themselves).</summary>
    public sealed record KeyList(IReadOnlyList<KeyResource> Keys, int Total, int Page, int PerPage, bool HasNext, bool HasPrev);

    [HttpGet]
    public async Task<KeyList> List([FromQuery] int? page, [FromQuery(Name = "per_page")] int? perPage, CancellationToken ct)
    {
        var request = PageRequest.From(page, perPage);
        var all = await keys.ListAsync(ct);
        var shown = request.Apply(all.Select(k => new KeyResource(k.Name, k.Prefix, ApiTime.Iso(k.CreatedAt), ApiTime.Iso(k.LastUsedAt))));
        return new KeyList(shown.Items, shown.Total, shown.PageNumber, shown.PerPage, shown.HasNext, shown.HasPrev);
    }

    [HttpPost]
    [ProducesResponseType<CreatedKey>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create(CreateKeyRequest request, CancellationToken ct)
    {
        var key = await keys.CreateAsync(request.Name, ct);
        return StatusCode(StatusCodes.Status201Created,
            new CreatedKey(request.Name, key, "Store this key now: it is not shown again"));
    }

    [HttpDelete("{name}")]
    [ProducesResponseType<Errors.ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<RevokedKey> Revoke(string name, CancellationToken ct)
    {
        await keys.RevokeAsync(name, ct);
        return new RevokedKey("revoked", name);
    }

}
