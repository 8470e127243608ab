using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Errors;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Runs a workflow of either format: converted to the API format, the overrides applied (values by node id and input
/// name), seeds randomised when asked, checked against ComfyUI's node list, and queued as a generation as execute
/// queues one. A workflow that cannot run is <c>INVALID_WORKFLOW</c> with its errors as <c>node_errors</c>.
/// </summary>
public sealed class WorkflowRunner(WorkflowLibrary library, Generations generations, ComfyUiConnection connection,
    IOptions<ComfyUiOptions> options)
{
    /// <summary>The inputs a run randomises: every seed ComfyUI's samplers take.</summary>
    public static readonly IReadOnlyList<string> SeedInputs = ["seed", "noise_seed"];

    public async Task<(PromptQueued Queued, GenerationView View)> RunAsync(string name, JsonObject workflow,
        IReadOnlyDictionary<string, Dictionary<string, JsonNode?>>? inputs = null, bool randomizeSeeds = false, bool front = false, CancellationToken ct = default)
    {
        var converted = await library.ToApiAsync(workflow, ct);
        if (!converted.Converted) throw Invalid(name, converted.Errors);
        var prompt = converted.Prompt!;
        foreach (var (nodeId, values) in inputs ?? new Dictionary<string, Dictionary<string, JsonNode?>>())
        {
            if (prompt[nodeId]?["inputs"] is not JsonObject given) throw StudioException.Validation($"inputs: node {nodeId} is not in {name}");
            foreach (var (input, value) in values) given[input] = value?.DeepClone();
        }
        if (randomizeSeeds)
            foreach (var (nodeId, node) in prompt)
            foreach (var seed in SeedInputs)
                if (node?["inputs"] is JsonObject values && values[seed] is JsonValue && inputs?.GetValueOrDefault(nodeId)?.ContainsKey(seed) != true)
                    values[seed] = NewSeed();
        var errors = await library.ValidatePromptAsync(prompt, ct);
        if (errors.Count > 0) throw Invalid(name, errors);
        return await generations.QueueAsync(prompt, "workflow", name, front, connection.ClientId, options.Value.MaxPending, ct);
    }

    /// <summary>A random seed in the range ComfyUI's samplers take (below 2^43, safe as a JavaScript number too).</summary>
    public static long NewSeed() => RandomNumberGenerator.GetInt32(int.MaxValue) * 4096L + RandomNumberGenerator.GetInt32(4096);

    /// <summary>INVALID_WORKFLOW naming the first error and how many more, every one in <c>node_errors</c>.</summary>
    public static StudioException Invalid(string name, IReadOnlyList<WorkflowError> errors) =>
        new(ErrorCodes.InvalidWorkflow, $"{name} cannot run: {errors[0].Message}{(errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "")}",
            new Dictionary<string, object?> { ["node_errors"] = errors.ToList() });
}
