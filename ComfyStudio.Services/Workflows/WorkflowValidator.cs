using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Checks an API-format workflow as ComfyUI's <c>validate_prompt</c> would, before it is queued: the structure (every
/// node has a class, links point at existing nodes and output slots of a matching type, at least one output node),
/// and against <c>/object_info</c> each node's class, its required inputs, and each value's type, range and choices.
/// The error types are ComfyUI's own words.
/// </summary>
public static class WorkflowValidator
{
    /// <param name="prompt">The API-format graph.</param>
    /// <param name="definitions">ComfyUI's node list (empty: only the structure is checked).</param>
    /// <param name="onDisk">
    /// Whether a model file a loader names (class, input, value) is on disk: ComfyUI lists a loader's files afresh for
    /// each prompt, so a file that arrived after the node list was read is as good as one in its choices.
    /// </param>
    public static IReadOnlyList<WorkflowError> Validate(JsonObject prompt, NodeDefinitions definitions, Func<string, string, string, bool>? onDisk = null)
    {
        var errors = new List<WorkflowError>();
        var known = definitions.Classes.Count > 0; // without ComfyUI's node list only the structure is checked
        var outputs = 0;
        foreach (var (id, n) in prompt)
        {
            if (n is not JsonObject node || node["class_type"] is not JsonValue c || !c.TryGetValue<string>(out var cls) || cls.Length == 0)
            {
                errors.Add(new(id, null, null, "invalid_node", $"Node {id} has no class_type"));
                continue;
            }
            if (node["inputs"] is not null and not JsonObject)
            {
                errors.Add(new(id, cls, null, "invalid_node", $"Node {id}: inputs must be an object"));
                continue;
            }
            var inputs = node["inputs"] as JsonObject ?? [];
            var definition = definitions.Find(cls);
            if (known && definition is null)
            {
                errors.Add(new(id, cls, null, "missing_node_type", $"Node {id} is of class {cls}, which ComfyUI does not know (a custom node that is not installed)"));
                continue;
            }
            if (definition?.OutputNode == true) outputs++;
            foreach (var (name, value) in inputs)
            {
                var input = definition?.Input(name);
                if (IsLink(value, out var from, out var slot))
                {
                    if (prompt[from] is not JsonObject origin)
                        errors.Add(new(id, cls, name, "bad_linked_input", $"Node {id} input {name} is linked to node {from}, which is not in the workflow"));
                    else if (definitions.Find(origin["class_type"]?.ToString()) is { } source)
                    {
                        if (slot < 0 || slot >= source.Outputs.Count)
                            errors.Add(new(id, cls, name, "bad_linked_input", $"Node {id} input {name} is linked to output {slot} of node {from} ({source.Name}), which has {source.Outputs.Count}"));
                        else if (input is not null && !WorkflowConverter.Compatible(source.Outputs[slot], input.Type == NodeInput.Combo ? "*" : input.Type))
                            errors.Add(new(id, cls, name, "return_type_mismatch", $"Node {id} input {name} takes {input.Type}, and output {slot} of node {from} gives {source.Outputs[slot]}"));
                    }
                    continue;
                }
                if (input is not null && Value(id, cls, input, value, onDisk) is { } problem) errors.Add(problem);
            }
            foreach (var required in definition?.Inputs.Where(i => i.Required && !inputs.ContainsKey(i.Name)) ?? [])
                errors.Add(new(id, cls, required.Name, "required_input_missing", $"Node {id} ({cls}) needs its input {required.Name}"));
        }
        if (prompt.Count == 0) errors.Add(new(null, null, null, "prompt_no_outputs", "The workflow has no nodes"));
        else if (known && outputs == 0) errors.Add(new(null, null, null, "prompt_no_outputs", "The workflow has no output node (SaveImage, PreviewImage…): ComfyUI would run nothing"));
        return errors;
    }

    /// <summary>A link is <c>["node id", output index]</c>.</summary>
    public static bool IsLink(JsonNode? value, out string from, out int slot)
    {
        (from, slot) = ("", 0);
        if (value is not JsonArray { Count: 2 } a || a[0] is not JsonValue id || a[1] is not JsonValue index || index.GetValueKind() != JsonValueKind.Number) return false;
        from = id.GetValueKind() switch { JsonValueKind.String => id.GetValue<string>(), JsonValueKind.Number => id.ToJsonString(), _ => "" };
        slot = double.TryParse(index.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (int)d : -1;
        return from.Length > 0;
    }

    private static WorkflowError? Value(string id, string cls, NodeInput input, JsonNode? value, Func<string, string, string, bool>? onDisk)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        WorkflowError Bad(string type, string message) => new(id, cls, input.Name, type, $"Node {id} input {input.Name}: {message}");
        switch (input.Type)
        {
            case "INT" or "FLOAT":
                if (kind != JsonValueKind.Number) return Bad("invalid_input_type", $"a number is needed, not {Shown(value)}");
                var number = double.Parse(value!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                if (input.Type == "INT" && number != Math.Floor(number)) return Bad("invalid_input_type", $"a whole number is needed, not {Shown(value)}");
                if (input.Min is { } min && number < min) return Bad("value_smaller_than_min", $"{Shown(value)} is below the minimum {Shown(JsonValue.Create(min))}");
                if (input.Max is { } max && number > max) return Bad("value_bigger_than_max", $"{Shown(value)} is above the maximum {Shown(JsonValue.Create(max))}");
                return null;
            case "BOOLEAN":
                return kind is JsonValueKind.True or JsonValueKind.False ? null : Bad("invalid_input_type", $"true or false is needed, not {Shown(value)}");
            case "STRING":
                return kind == JsonValueKind.String ? null : Bad("invalid_input_type", $"a text is needed, not {Shown(value)}");
            case NodeInput.Combo:
                if (input.Choices is not { Count: > 0 } choices) return null; // a list ComfyUI fills at run time
                var text = kind == JsonValueKind.String ? value!.GetValue<string>() : value?.ToJsonString();
                return text is not null && (choices.Contains(text) || onDisk?.Invoke(cls, input.Name, text) == true)
                    ? null
                    : Bad("value_not_in_list", $"{Shown(value)} is not one of its {choices.Count} choices{(choices.Count <= 6 ? $" ({string.Join(", ", choices)})" : "")}");
            default:
                return null; // a socket type given a plain value: ComfyUI decides
        }
    }

    private static string Shown(JsonNode? value) => value?.ToJsonString() is { } s ? (s.Length > 60 ? s[..57] + "…" : s) : "null";
}
