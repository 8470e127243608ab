using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Paging;
using ComfyStudio.Services.Workflows;
using ComfyStudio.Web.Api.ComfyUi;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>
/// The Dashboard API's workflow management: the library (templates read-only, the user's own), a workflow in the API
/// or the UI format, its validation against ComfyUI's node list, and a run.
/// </summary>
[ApiController]
[Route("api/workflows")]
public sealed class WorkflowsController(WorkflowLibrary library, NodeCatalog nodes) : ControllerBase
{
    public sealed record SaveRequest(string? Name, string? Category, string? Description, JsonObject? Workflow);

    /// <summary>
    /// <c>inputs</c>: values by node id and input name (<c>{"3": {"seed": 42}}</c>), applied to the API-format graph;
    /// <c>randomize_seeds</c>: every <c>seed</c> and <c>noise_seed</c> not given gets a new random value.
    /// </summary>
    public sealed record RunRequest(Dictionary<string, Dictionary<string, JsonNode?>>? Inputs, bool? RandomizeSeeds, int? Priority);

    /// <summary>The library, filtered by <c>category</c> and a <c>search</c> in the name or description, templates first.</summary>
    [HttpGet]
    public async Task<WorkflowList> List([FromQuery] string? category, [FromQuery] string? search, [FromQuery] int? page,
        [FromQuery(Name = "per_page")] int? perPage, [FromServices] WorkflowModels models, CancellationToken ct)
    {
        var request = PageRequest.From(page, perPage);
        var shown = request.Apply(library.List(Text(category), Text(search)));
        var readiness = await models.CheckAllAsync(library.Graphs([.. shown.Items.Select(e => e.Id)]), ct);
        var items = shown.Items.Select(e => readiness.TryGetValue(e.Id, out var r) ? WorkflowResource.From(e, r) : WorkflowResource.From(e)).ToList();
        return new WorkflowList(items, shown.Total, shown.PageNumber, shown.PerPage, shown.HasNext, shown.HasPrev);
    }

    /// <summary>One workflow: <c>{id, workflow}</c> in the API format (<c>?format=ui</c>: as saved, when saved in the UI format), with its errors.</summary>
    [HttpGet("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<WorkflowDetail> Get(string id, [FromQuery] string? format, [FromServices] WorkflowModels models, CancellationToken ct)
    {
        if (format is not (null or "api" or "ui")) throw StudioException.Validation("format must be api or ui");
        var (entry, workflow) = library.Get(id);
        var (converted, errors) = await library.ValidateAsync(workflow, ct);
        if (format == "ui" && entry.Format != WorkflowEntry.Ui) throw StudioException.Validation($"{entry.Name} was saved in the API format; there is no UI format of it");
        var readiness = await models.CheckAsync(workflow, converted, ct);
        return new WorkflowDetail(entry.Id, format == "ui" ? workflow : converted.Prompt, format ?? WorkflowEntry.Api, WorkflowResource.From(entry), errors.Count == 0,
            [.. errors.Select(WorkflowErrorResource.From)], WorkflowReadinessResource.From(readiness));
    }

    /// <summary>The model files the workflow loads, each on disk or not with the presets (or the URL) that provide it, and the node classes ComfyUI lacks.</summary>
    [HttpGet("{id}/readiness")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<WorkflowReadinessResource> Readiness(string id, [FromServices] WorkflowModels models, CancellationToken ct)
    {
        var (_, workflow) = library.Get(id);
        return WorkflowReadinessResource.From(await models.CheckAsync(workflow, await library.ToApiAsync(workflow, ct), ct));
    }

    /// <summary>Saves a new user workflow, in either format: <c>{name, category?, description?, workflow}</c>.</summary>
    [HttpPost]
    public WorkflowSaveResult Create(SaveRequest request)
    {
        var entry = library.Save(Required(request.Name), request.Category, request.Description, Graph(request.Workflow));
        return new WorkflowSaveResult(entry.Id, "saved", entry.Path);
    }

    /// <summary>
    /// Imports the workflow an image ComfyUI saved carries (its <c>workflow</c>, else its <c>prompt</c> text chunk) as a
    /// user workflow: the PNG as the body (<c>image/png</c>), or <c>{"filename", "subfolder"?, "type"?}</c> of an output
    /// in the History, read from ComfyUI. 400 <c>INVALID_WORKFLOW</c> for an image without one.
    /// </summary>
    [HttpPost("import")]
    [RequestSizeLimit(MaxImportBytes)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<WorkflowSaveResult> Import([FromQuery] string? name, [FromQuery] string? category, [FromServices] ComfyUiClient comfyUi, CancellationToken ct)
    {
        byte[] image;
        string shown;
        if (Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            JsonNode? body;
            try { body = await JsonNode.ParseAsync(Request.Body, cancellationToken: ct); }
            catch (System.Text.Json.JsonException e) { throw StudioException.Validation("The body is not valid JSON: " + e.Message); }
            var output = body as JsonObject
                         ?? throw StudioException.Validation("The body must be {\"filename\", \"subfolder\"?, \"type\"?} of an output, or the PNG itself");
            var filename = output["filename"]?.ToString();
            if (string.IsNullOrWhiteSpace(filename) || filename.Contains("..", StringComparison.Ordinal) || filename.StartsWith('/'))
                throw StudioException.Validation("'filename' must name an output file");
            var subfolder = output["subfolder"]?.ToString();
            if (subfolder is not null && (subfolder.Contains("..", StringComparison.Ordinal) || subfolder.StartsWith('/'))) throw StudioException.Validation("'subfolder' must stay inside ComfyUI's folder");
            var type = output["type"]?.ToString() ?? "output";
            if (type is not ("output" or "input" or "temp")) throw StudioException.Validation("'type' must be output, input or temp");
            using var response = await comfyUi.ViewAsync(filename, subfolder, type, null, ct) ?? throw StudioException.NotFound($"ComfyUI has no {type} file {filename}");
            image = await response.Content.ReadAsByteArrayAsync(ct);
            shown = Path.GetFileNameWithoutExtension(filename);
        }
        else
        {
            using var buffer = new MemoryStream();
            await Request.Body.CopyToAsync(buffer, ct);
            image = buffer.ToArray();
            shown = "Imported workflow";
        }
        if (!PngWorkflow.IsPng(image)) throw new StudioException(ErrorCodes.InvalidWorkflow, "The body is no PNG: send the image ComfyUI saved, or JSON naming an output");
        var entry = library.Import(image, Text(name) ?? shown, category);
        return new WorkflowSaveResult(entry.Id, "saved", entry.Path);
    }

    private const long MaxImportBytes = 64 << 20;

    /// <summary>Replaces a user workflow (its name, and its graph when given); a template is 409 (save a copy).</summary>
    [HttpPut("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status409Conflict)]
    public WorkflowSaveResult Update(string id, SaveRequest request)
    {
        var (entry, current) = library.Get(id);
        var graph = request.Workflow is { Count: > 0 } given ? given : current;
        var saved = library.Save(Text(request.Name) ?? entry.Name, request.Category, request.Description, graph, replacing: id);
        return new WorkflowSaveResult(saved.Id, "saved", saved.Path);
    }

    [HttpDelete("{id}")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status409Conflict)]
    public WorkflowDeleteResult Delete(string id)
    {
        library.Delete(id);
        return new WorkflowDeleteResult("deleted", id);
    }

    /// <summary>The errors ComfyUI would report, found before it sees the workflow (node list: ComfyUI's, else the last kept copy).</summary>
    [HttpPost("{id}/validate")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    public async Task<WorkflowValidation> Validate(string id, CancellationToken ct)
    {
        var (_, workflow) = library.Get(id);
        var (_, errors) = await library.ValidateAsync(workflow, ct);
        return new WorkflowValidation(errors.Count == 0, nodes.Live, [.. errors.Select(WorkflowErrorResource.From)]);
    }

    /// <summary>Installs what the workflow misses: the presets that provide its missing files, and the files it names a URL for.</summary>
    [HttpPost("{id}/install-models")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status507InsufficientStorage)]
    public async Task<WorkflowInstallResult> InstallModels(string id, [FromServices] WorkflowModels models, CancellationToken ct)
    {
        var (entry, workflow) = library.Get(id);
        var readiness = await models.CheckAsync(workflow, await library.ToApiAsync(workflow, ct), ct);
        return WorkflowInstallResult.From(await models.InstallMissingAsync(entry.Name, readiness, ct));
    }

    /// <summary>
    /// Runs a workflow: converted to the API format, the overrides applied, checked, and queued as
    /// <c>/api/comfyui/execute</c> queues it (the same answer). 400 <c>INVALID_WORKFLOW</c> with the errors on their nodes.
    /// </summary>
    [HttpPost("{id}/run")]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status503ServiceUnavailable)]
    [ProducesResponseType<ErrorBody>(StatusCodes.Status507InsufficientStorage)]
    public async Task<ExecuteResult> Run(string id, [FromBody] RunRequest? request, [FromServices] WorkflowRunner runner, CancellationToken ct)
    {
        var (entry, workflow) = library.Get(id);
        var (queued, _) = await runner.RunAsync(entry.Name, workflow, request?.Inputs, request?.RandomizeSeeds == true, request?.Priority > 0, ct);
        return new ExecuteResult(queued.PromptId, queued.Number, GenerationStates.Queued, queued.NodeErrors);
    }

    private static JsonObject Graph(JsonObject? workflow) =>
        workflow ?? throw new StudioException(ErrorCodes.InvalidWorkflow, "'workflow' is required: ComfyUI's API format or the UI format its editor saves");

    private static string Required(string? name) => Text(name) ?? throw StudioException.Validation("'name' is required");

    private static string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
