using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Workflows;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>Saved prompts (the original product's <c>/api/admin/prompts</c>): positive and negative texts to pick again in the editor.</summary>
[ApiController]
[Route("api/admin/prompts")]
public sealed class SavedPromptsController(SavedPrompts prompts) : ControllerBase
{
    public sealed record SaveRequest(string? Text, string? Type);

    /// <summary>The saved prompts, newest first; <c>type</c>: positive or negative.</summary>
    [HttpGet]
    public async Task<SavedPromptList> List([FromQuery] string? type, CancellationToken ct)
    {
        var list = await prompts.ListAsync(string.IsNullOrWhiteSpace(type) ? null : type.Trim(), ct);
        return new SavedPromptList([.. list.Select(SavedPromptResource.From)], list.Count);
    }

    /// <summary>Saves <c>{text, type}</c> (type positive when not given); the same text saved again gives the same id.</summary>
    [HttpPost]
    public async Task<SavedPromptCreated> Save(SaveRequest request, CancellationToken ct)
    {
        var saved = await prompts.SaveAsync(request.Type?.Trim() ?? SavedPrompts.Positive, request.Text, ct);
        return new SavedPromptCreated(saved.Id, SavedPromptResource.From(saved));
    }

    [HttpDelete("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<SavedPromptDeleted> Delete(string id, CancellationToken ct)
    {
        if (!int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw StudioException.Validation("A saved prompt's id is a whole number");
        return await prompts.DeleteAsync(n, ct) ? new SavedPromptDeleted(true) : throw StudioException.NotFound($"Saved prompt {n} does not exist");
    }
}
