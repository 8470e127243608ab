using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// Converts a workflow in ComfyUI's UI format (what its editor saves: <c>nodes[]</c> with positional
/// <c>widgets_values</c>, a <c>links</c> table; versions 0.4 and 1) into the API format <c>POST /prompt</c> takes, the
/// way ComfyUI's frontend does it (<c>graphToPrompt</c>): widgets by the order <c>/object_info</c> gives, the
/// frontend-only widgets (<c>control_after_generate</c>, the upload button) skipped, muted nodes dropped with the
/// inputs that pointed at them, bypassed nodes rewired through their first input of the wanted type, <c>Reroute</c>s
/// followed, <c>PrimitiveNode</c> values copied into the widgets they drive, <c>Note</c>s left out.
/// </summary>
public static class WorkflowConverter
{
    /// <summary>Node types that exist only in the frontend and never reach ComfyUI.</summary>
    public static readonly IReadOnlySet<string> VirtualTypes = new HashSet<string>(StringComparer.Ordinal) { "PrimitiveNode", "Reroute", "Note", "MarkdownNote" };

    private const int Muted = 2, Bypassed = 4;

    /// <summary>True for a UI-format workflow (<c>nodes</c> and <c>links</c>), false for anything else.</summary>
    public static bool IsUiFormat(JsonObject workflow) => workflow["nodes"] is JsonArray && workflow["links"] is JsonArray;

    public static WorkflowConversion ToApi(JsonObject ui, NodeDefinitions definitions)
    {
        var errors = new List<WorkflowError>();
        var nodes = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var n in ui["nodes"] as JsonArray ?? [])
            if (n is JsonObject o && Id(o["id"]) is { } id) nodes.TryAdd(id, o);
        var links = ReadLinks(ui["links"] as JsonArray);
        var subgraphs = (ui["definitions"]?["subgraphs"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(s => s["id"] is JsonValue).ToDictionary(s => s["id"]!.ToString(), s => s["name"]?.ToString() ?? "subgraph", StringComparer.Ordinal);

        if (definitions.Classes.Count == 0 && nodes.Count > 0)
            return new WorkflowConversion(null, [new(null, null, null, "node_list_unavailable",
                "A UI-format workflow is converted with ComfyUI's node list, and ComfyUI has not been reached yet: start ComfyUI, then try again")]);
        var emitted = new List<(string Id, JsonObject Node, NodeDefinition Definition)>();
        foreach (var (id, node) in nodes)
        {
            var type = node["type"]?.ToString() ?? "";
            if (VirtualTypes.Contains(type) || Mode(node) is Muted or Bypassed) continue;
            if (subgraphs.TryGetValue(type, out var subgraph))
            {
                errors.Add(new(id, type, null, "subgraph", $"Node {id} is the subgraph \"{subgraph}\"; subgraphs cannot be converted yet: open it in ComfyUI and use Export (API)"));
                continue;
            }
            if (type.StartsWith("workflow>", StringComparison.Ordinal) || type.StartsWith("workflow/", StringComparison.Ordinal))
            {
                errors.Add(new(id, type, null, "group_node", $"Node {id} is the group node \"{type}\"; group nodes cannot be converted: convert it to nodes in ComfyUI first"));
                continue;
            }
            if (definitions.Find(type) is not { } definition)
            {
                errors.Add(new(id, type, null, "missing_node_type", $"Node {id} is of class {type}, which ComfyUI does not know (a custom node that is not installed)"));
                continue;
            }
            emitted.Add((id, node, definition));
        }
        if (nodes.Count == 0) errors.Add(new(null, null, null, "prompt_no_outputs", "The workflow has no nodes"));
        if (errors.Count > 0) return new WorkflowConversion(null, errors);

        var prompt = new JsonObject();
        foreach (var (id, node, definition) in emitted.OrderBy(e => e.Id, IdOrder.Instance))
        {
            var inputs = new JsonObject();
            foreach (var (name, value) in Widgets(node, definition)) inputs[name] = value;
            foreach (var slot in node["inputs"] as JsonArray ?? [])
            {
                if (slot is not JsonObject input || input["name"]?.ToString() is not { } inputName || Id(input["link"]) is not { } linkId) continue;
                switch (Resolve(linkId, input["type"]?.ToString(), nodes, links, 0))
                {
                    case Origin o:
                        inputs[inputName] = new JsonArray(o.NodeId, o.Slot);
                        break;
                    case Value v: // a PrimitiveNode's value, copied into the widget it drives
                        inputs[input["widget"]?["name"]?.ToString() ?? inputName] = Wrap(v.Node?.DeepClone());
                        break;
                }
            }
            var title = node["title"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : definition.DisplayName;
            prompt[id] = new JsonObject { ["inputs"] = inputs, ["class_type"] = definition.Name, ["_meta"] = new JsonObject { ["title"] = title } };
        }
        // An input fed by a node that is not in the prompt (muted) goes with it.
        foreach (var (_, n) in prompt)
        {
            var inputs = (JsonObject)n!["inputs"]!;
            foreach (var key in inputs.Where(kv => kv.Value is JsonArray { Count: 2 } a && a[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                                                   && !prompt.ContainsKey(v.GetValue<string>())).Select(kv => kv.Key).ToList())
                inputs.Remove(key);
        }
        return new WorkflowConversion(prompt, []);
    }

    /// <summary>
    /// The node's widget values by input name, for the prompt. <c>widgets_values</c> is positional, in the order the
    /// node's widgets are drawn; the frontend-only widgets take a position but never reach the prompt.
    /// </summary>
    private static IEnumerable<(string Name, JsonNode? Value)> Widgets(JsonObject node, NodeDefinition definition)
    {
        var saved = node["widgets_values"];
        if (saved is JsonObject byName) // some custom nodes save their values by name
        {
            foreach (var input in definition.Inputs.Where(i => i.IsWidget))
                if (byName.TryGetPropertyValue(input.Name, out var v)) yield return (input.Name, Wrap(v?.DeepClone()));
                else if (input.Default is { } d) yield return (input.Name, d.DeepClone());
            yield break;
        }
        var values = saved as JsonArray ?? [];
        var layout = Layout(definition, withForcedSockets: false);
        // Workflows saved before frontend 1.16 kept a value for each forceInput widget too; read them with that layout.
        var legacy = Layout(definition, withForcedSockets: true);
        if (values.Count != layout.Count && values.Count == legacy.Count) layout = legacy;
        for (var i = 0; i < layout.Count; i++)
        {
            var (name, toPrompt, input) = layout[i];
            if (!toPrompt) continue;
            if (i < values.Count) yield return (name, Wrap(values[i]?.DeepClone()));
            else if (input.Default is { } d) yield return (name, d.DeepClone()); // a widget the saved list does not reach keeps its default
        }
    }

    /// <summary>The positions of a node's <c>widgets_values</c>: each widget input, and the frontend-only widgets after it.</summary>
    internal static List<(string Name, bool ToPrompt, NodeInput Input)> Layout(NodeDefinition definition, bool withForcedSockets)
    {
        var layout = new List<(string, bool, NodeInput)>();
        foreach (var input in definition.Inputs)
        {
            if (input.IsWidget) layout.Add((input.Name, true, input));
            else if (withForcedSockets && input.IsForcedSocket) layout.Add((input.Name, false, input));
            else continue;
            if (input.HasControl) layout.Add(("control_after_generate", false, input));
            if (input.HasUpload) layout.Add(("upload", false, input));
        }
        return layout;
    }

    /// <summary>An array value goes to ComfyUI wrapped, as the frontend sends it: <c>{"__value__": [...]}</c>.</summary>
    private static JsonNode? Wrap(JsonNode? value) => value is JsonArray a ? new JsonObject { ["__value__"] = a } : value;

    private abstract record Resolved;
    private sealed record Origin(string NodeId, int Slot) : Resolved;
    private sealed record Value(JsonNode? Node) : Resolved;

    /// <summary>
    /// Follows a link upstream to the node that really feeds it: through <c>Reroute</c>s (same slot), through bypassed
    /// nodes (their first input of the wanted type), to a <c>PrimitiveNode</c>'s value; null when nothing feeds it.
    /// </summary>
    private static Resolved? Resolve(string linkId, string? wanted, Dictionary<string, JsonObject> nodes, Dictionary<string, Link> links, int depth)
    {
        if (depth > 64 || !links.TryGetValue(linkId, out var link) || !nodes.TryGetValue(link.OriginId, out var origin)) return null;
        var type = origin["type"]?.ToString() ?? "";
        var inputs = (origin["inputs"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (type == "PrimitiveNode")
            return origin["widgets_values"] is JsonArray { Count: > 0 } v ? new Value(v[0]) : null;
        if (type == "Reroute")
            return inputs.Count > 0 && Id(inputs[0]["link"]) is { } upstream ? Resolve(upstream, wanted, nodes, links, depth + 1) : null;
        if (VirtualTypes.Contains(type)) return null;
        if (Mode(origin) == Bypassed)
        {
            var outputType = (origin["outputs"] as JsonArray)?.ElementAtOrDefault(link.OriginSlot)?["type"]?.ToString();
            var index = BypassInput(inputs, link.OriginSlot, wanted, outputType);
            return index is { } i && Id(inputs[i]["link"]) is { } through ? Resolve(through, wanted, nodes, links, depth + 1) : null;
        }
        return new Origin(link.OriginId, link.OriginSlot);
    }

    /// <summary>The frontend's choice of the input a bypassed node passes on for one of its outputs.</summary>
    private static int? BypassInput(List<JsonObject> inputs, int slot, string? wanted, string? outputType)
    {
        if (inputs.Count == 0) return null;
        string? TypeOf(int i) => inputs[i]["type"]?.ToString();
        if (string.IsNullOrEmpty(wanted) || wanted == "*") return slot < inputs.Count ? slot : 0;
        if (slot < inputs.Count && Compatible(TypeOf(slot), outputType) && Compatible(TypeOf(slot), wanted)) return slot;
        for (var i = 0; i < inputs.Count; i++) if (TypeOf(i) == wanted) return i;
        for (var i = 0; i < inputs.Count; i++) if (Compatible(TypeOf(i), wanted)) return i;
        return null;
    }

    /// <summary>LiteGraph's rule: the same type, a wildcard, or lists (<c>A,B</c>) that share one.</summary>
    public static bool Compatible(string? a, string? b)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b) || a == "*" || b == "*") return true;
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase)) return true;
        var left = a.Split(',', StringSplitOptions.TrimEntries);
        return b.Split(',', StringSplitOptions.TrimEntries).Any(t => left.Contains(t, StringComparer.OrdinalIgnoreCase));
    }

    private sealed record Link(string OriginId, int OriginSlot, string TargetId, int TargetSlot, string? Type);

    /// <summary>The links table: arrays <c>[id, origin, slot, target, slot, type]</c> (0.4) or objects (version 1).</summary>
    private static Dictionary<string, Link> ReadLinks(JsonArray? table)
    {
        var links = new Dictionary<string, Link>(StringComparer.Ordinal);
        foreach (var l in table ?? [])
        {
            (JsonNode? id, JsonNode? origin, JsonNode? originSlot, JsonNode? target, JsonNode? targetSlot, JsonNode? type) = l switch
            {
                JsonArray { Count: >= 5 } a => (a[0], a[1], a[2], a[3], a[4], a.Count > 5 ? a[5] : null),
                JsonObject o => (o["id"], o["origin_id"], o["origin_slot"], o["target_id"], o["target_slot"], o["type"]),
                _ => (null, null, null, null, null, null),
            };
            if (Id(id) is { } linkId && Id(origin) is { } from && Id(target) is { } to && Int(originSlot) is { } fromSlot)
                links.TryAdd(linkId, new Link(from, fromSlot, to, Int(targetSlot) ?? 0, type?.ToString()));
        }
        return links;
    }

    private static int Mode(JsonObject node) => Int(node["mode"]) ?? 0;

    private static int? Int(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (int)d : null;

    /// <summary>A node or link id as the API writes it: a string (numbers as their digits).</summary>
    private static string? Id(JsonNode? n) => n switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => null,
    };

    /// <summary>The order JavaScript gives an object's keys: integer-like ones ascending, then the rest as they came.</summary>
    internal sealed class IdOrder : IComparer<string>
    {
        public static readonly IdOrder Instance = new();
        public int Compare(string? x, string? y)
        {
            var xi = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var yi = long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            return (xi, yi) switch { (true, true) => a.CompareTo(b), (true, false) => -1, (false, true) => 1, _ => 0 };
        }
    }
}
