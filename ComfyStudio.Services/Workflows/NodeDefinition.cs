using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// One node class as ComfyUI's <c>/object_info</c> describes it: its inputs in declaration order (<c>required</c>, then
/// <c>optional</c>; <c>input_order</c> where given; <c>hidden</c> ones are left out), its output types, and whether it
/// is an output node (one of those a prompt needs).
/// </summary>
public sealed record NodeDefinition(string Name, string DisplayName, string Category, IReadOnlyList<NodeInput> Inputs,
    IReadOnlyList<string> Outputs, IReadOnlyList<string> OutputNames, bool OutputNode)
{
    public NodeInput? Input(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    public static NodeDefinition Parse(string name, JsonObject o)
    {
        var inputs = new List<NodeInput>();
        var declared = o["input"] as JsonObject;
        var order = o["input_order"] as JsonObject;
        foreach (var section in new[] { "required", "optional" })
        {
            if (declared?[section] is not JsonObject entries) continue;
            var names = order?[section] is JsonArray ordered
                ? [.. ordered.Select(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String ? n.GetValue<string>() : null).OfType<string>().Where(entries.ContainsKey)
                      .Concat(entries.Select(e => e.Key).Where(k => !ordered.Any(n => n?.ToString() == k)))]
                : entries.Select(e => e.Key).ToList();
            foreach (var input in names)
                inputs.Add(NodeInput.Parse(input, entries[input], section == "required"));
        }
        static List<string> Strings(JsonNode? n) => n is JsonArray a ? [.. a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : x is JsonArray ? "COMBO" : "*")] : [];
        var outputs = Strings(o["output"]);
        var outputNames = Strings(o["output_name"]);
        return new NodeDefinition(name, o["display_name"] is JsonValue d && d.TryGetValue<string>(out var dn) && dn.Length > 0 ? dn : name,
            o["category"] is JsonValue c && c.TryGetValue<string>(out var cat) ? cat : "",
            inputs, outputs, outputNames.Count == outputs.Count ? outputNames : outputs,
            o["output_node"] is JsonValue on && on.TryGetValue<bool>(out var isOutput) && isOutput);
    }
}
