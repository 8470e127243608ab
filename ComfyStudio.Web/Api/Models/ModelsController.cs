using ComfyStudio.Services.Errors;
using Hangfire;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Models;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Presets;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ComfyStudio.Web.Api.Models;

/// <summary>The Dashboard API's model management: the files in ComfyUI's folders, their types, a quick check, and deletion.</summary>
[ApiController]
[Route("api/models")]
public sealed class ModelsController(ModelLibrary library) : ControllerBase
{
    public sealed record DeleteRequest(List<string?>? Paths, bool? Confirm, bool? Force);

    /// <summary>
    /// Model files, filtered by <c>type</c> (a ComfyUI folder, e.g. <c>checkpoints</c>, or its legacy name) and
    /// <c>search</c> (in the path), in the order of <c>sort</c>: <c>name</c> (the path, the default), <c>size</c> (the
    /// largest first) or <c>date</c> (the newest first).
    /// </summary>
    [HttpGet]
    public async Task<ModelList> List([FromQuery] string? type, [FromQuery] string? search, [FromQuery] int? page,
        [FromQuery(Name = "per_page")] int? perPage, [FromQuery] string? sort, CancellationToken ct)
    {
        var request = PageRequest.From(page, perPage);
        var order = string.IsNullOrWhiteSpace(sort) ? ModelSort.Name
            : Enum.TryParse<ModelSort>(sort.Trim(), ignoreCase: true, out var o) && Enum.IsDefined(o) && !char.IsDigit(sort.Trim()[0]) ? o
            : throw StudioException.Validation("sort must be one of name, size, date");
        var typeId = string.IsNullOrWhiteSpace(type) ? null
            : ModelType.Find(type.Trim())?.Id ?? throw StudioException.Validation($"type must be one of {string.Join(", ", ModelType.All.Select(t => t.Id))}");
        var text = search?.Trim() is { Length: > 0 } s ? s[..Math.Min(s.Length, 200)] : null;
        var (items, total, bytes) = await library.PageAsync(typeId, text, request, order, ct);
        var shown = request.Of([.. items.Select(ModelResource.From)], total);
        return new ModelList(shown.Items, shown.Total, ByteSize.Gb(bytes), shown.PageNumber, shown.PerPage, shown.HasNext, shown.HasPrev);
    }

    [HttpGet("types")]
    public async Task<ModelTypeList> Types(CancellationToken ct)
    {
        var figures = await library.TypeFiguresAsync(ct);
        return new ModelTypeList([.. ModelType.All.Select(t => new ModelTypeList.TypeCount(t.Id, t.Name, figures.GetValueOrDefault(t.Id).Count))]);
    }

    /// <summary>
    /// The quick check of every file (or of one <c>type</c>, or of one <c>preset</c>'s files): headers, and for
    /// safetensors that the tensors cover the file exactly, which catches a truncated or partial file.
    /// </summary>
    [HttpGet("validate")]
    [ProducesResponseType<ModelValidationStarted>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ModelValidation>(StatusCodes.Status200OK)]
    public async Task<ActionResult<ModelValidation>> Validate([FromQuery] string? type, [FromQuery] string? preset, [FromQuery] bool? full,
        [FromServices] PresetStates presets, [FromServices] IBackgroundJobClient jobs, CancellationToken ct)
    {
        var files = Filter(await library.ListAsync(ct), type, null);
        if (full == true)
        {
            // The SHA-256 of every file is a job: minutes for a pod's worth of models. Its progress comes on /ws.
            var typeId = string.IsNullOrWhiteSpace(type) ? null : ModelType.Find(type.Trim())!.Id;
            var presetId = string.IsNullOrWhiteSpace(preset) ? null : presets.Find(preset).Id;
            var (id, hangfireId) = ModelValidationJob.Enqueue(jobs, typeId, presetId);
            return StatusCode(StatusCodes.Status202Accepted, new ModelValidationStarted(id, "started", hangfireId));
        }
        if (!string.IsNullOrWhiteSpace(preset))
        {
            var status = await presets.ReadAsync(presets.Find(preset), ct);
            var paths = status.Files.Select(f => f.Path).OfType<string>().ToHashSet(StringComparer.Ordinal);
            files = [.. files.Where(f => f.InModelsFolder && paths.Contains(f.Path))];
        }
        return new ModelValidation(files.Count, [.. (await library.QuickCheckAsync(files, ct)).Select(e => new ModelValidation.Failure(e.Path, e.Error))]);
    }

    /// <summary>
    /// Deletes model files: <c>{"paths": [...], "confirm": true, "force"?: true}</c>. A path that cannot be deleted is
    /// listed in <c>errors</c> with the reason and nothing happens to it; 404 <c>MODEL_NOT_FOUND</c> when none exists.
    /// </summary>
    [HttpDelete]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<ModelsDeleted> Delete([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DeleteRequest? request, CancellationToken ct)
    {
        if (request?.Confirm != true) throw StudioException.Validation("Deleting models needs \"confirm\": true");
        if (request.Paths is not { Count: > 0 } paths || paths.Any(string.IsNullOrWhiteSpace))
            throw StudioException.Validation("'paths' must list the files to delete, relative to the models folder");
        if (paths.Count > 1000) throw StudioException.Validation("at most 1000 paths at once");
        var done = await library.DeleteAsync([.. paths!], request.Force == true, ct);
        return new ModelsDeleted(done.Deleted.Count, ByteSize.Gb(done.BytesFreed, 3), done.BytesFreed, done.Deleted,
            [.. done.Errors.Select(e => new ModelValidation.Failure(e.Path, e.Error))]);
    }

    private static List<ModelFile> Filter(IReadOnlyList<ModelFile> files, string? type, string? search)
    {
        IEnumerable<ModelFile> result = files;
        if (!string.IsNullOrWhiteSpace(type))
        {
            var wanted = ModelType.Find(type.Trim()) ?? throw StudioException.Validation($"type must be one of {string.Join(", ", ModelType.All.Select(t => t.Id))}");
            result = result.Where(f => f.Type == wanted.Id);
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            if (s.Length > 200) s = s[..200];
            result = result.Where(f => f.Path.Contains(s, StringComparison.OrdinalIgnoreCase));
        }
        return [.. result];
    }
}
