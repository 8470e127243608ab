using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// A workflow as the editor edits it: nodes of ComfyUI classes with their values and links (the API format), each
/// with its place on the canvas and, for a seed, whether it is randomised each run. Read from either format (a
/// UI-format workflow keeps its positions; an API-format one is laid out by its links), written back to either: the
/// API format keeps the places in each node's <c>_meta</c>, the UI format is rebuilt from ComfyUI's node list.
/// </summary>
public sealed class WorkflowGraph
{
    /// <summary>One node: its id, class, title, place, and inputs (a value, or a link <c>["from id", slot]</c>).</summary>
    public sealed class Node(string id, string classType)
    {
        public string Id { get; } = id;
        public string ClassType { get; } = classType;
        public string? Title { get; set; }
        public double X { get; set; }
        public double Y { get; set; }
        public JsonObject Inputs { get; init; } = [];
        /// <summary>Inputs (seeds) given a new random value before each run, as ComfyUI's "control after generate: randomize".</summary>
        public HashSet<string> Randomized { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A link: output <c>Slot</c> of node <c>From</c> feeds input <c>Input</c> of node <c>To</c>.</summary>
    public sealed record Link(string From, int Slot, string To, string Input);

    public const double ColumnWidth = 340, RowGap = 40;

    private readonly List<Node> _nodes = [];

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node? Find(string id) => _nodes.FirstOrDefault(n => n.Id == id);

    public IEnumerable<Link> Links =>
        _nodes.SelectMany(n => n.Inputs.Where(kv => WorkflowValidator.IsLink(kv.Value, out _, out _)).Select(kv =>
        {
            WorkflowValidator.IsLink(kv.Value, out var from, out var slot);
            return new Link(from, slot, n.Id, kv.Key);
        }));

    /// <summary>
    /// The graph of a workflow of either format, or the reasons it cannot be edited as a graph (a UI-format one that
    /// does not convert: a subgraph, a class ComfyUI lacks, no node list yet).
    /// </summary>
    public static (WorkflowGraph? Graph, IReadOnlyList<WorkflowError> Errors) From(JsonObject workflow, NodeDefinitions definitions)
    {
        var graph = new WorkflowGraph();
        if (WorkflowConverter.IsUiFormat(workflow))
        {
            var converted = WorkflowConverter.ToApi(workflow, definitions);
            if (!converted.Converted) return (null, converted.Errors);
            var placed = (workflow["nodes"] as JsonArray ?? []).OfType<JsonObject>().Where(n => n["id"] is not null)
                .GroupBy(n => n["id"]!.ToJsonString().Trim('"')).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var (id, n) in converted.Prompt!)
            {
                var node = Read(id, (JsonObject)n!);
                if (placed.TryGetValue(id, out var ui))
                {
                    (node.X, node.Y) = Position(ui["pos"]);
                    var values = ui["widgets_values"] as JsonArray;
                    if (definitions.Find(node.ClassType) is { } definition && values is not null)
                    {
                        var layout = WorkflowConverter.Layout(definition, withForcedSockets: false);
                        for (var i = 0; i + 1 < layout.Count && i + 1 < values.Count; i++)
                            if (layout[i + 1].Name == "control_after_generate" && values[i + 1]?.ToString() is "randomize")
                                node.Randomized.Add(layout[i].Name);
                    }
                }
                graph._nodes.Add(node);
            }
            return (graph, []);
        }
        var body = new JsonObject([.. workflow.Where(kv => kv.Key != "_meta").Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))]);
        WorkflowShape.EnsureApiFormat(body);
        var laidOut = true;
        foreach (var (id, n) in body)
        {
            var node = Read(id, (JsonObject)n!);
            if (n!["_meta"]?["pos"] is JsonArray pos) (node.X, node.Y) = Position(pos);
            else laidOut = false;
            foreach (var r in n["_meta"]?["randomize"] as JsonArray ?? []) if (r?.ToString() is { } name) node.Randomized.Add(name);
            graph._nodes.Add(node);
        }
        if (!laidOut) graph.Arrange(definitions);
        return (graph, []);
    }

    private static Node Read(string id, JsonObject n) => new(id, n["class_type"]!.ToString())
    {
        Title = n["_meta"]?["title"]?.ToString(),
        Inputs = n["inputs"] is JsonObject inputs ? (JsonObject)inputs.DeepClone() : [],
    };

    private static (double X, double Y) Position(JsonNode? pos) => pos switch
    {
        JsonArray { Count: >= 2 } a => (Number(a[0]), Number(a[1])),
        JsonObject o => (Number(o["0"]), Number(o["1"])),
        _ => (0, 0),
    };

    private static double Number(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) : 0;

    /// <summary>Lays the nodes out in columns by their distance from the nodes that take no links, top to bottom by id.</summary>
    public void Arrange(NodeDefinitions definitions)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(string id, int guard)
        {
            if (depth.TryGetValue(id, out var d)) return d;
            if (guard > _nodes.Count || Find(id) is not { } node) return 0;
            var links = Links.Where(l => l.To == id && Find(l.From) is not null).ToList();
            d = links.Count == 0 ? 0 : links.Max(l => Depth(l.From, guard + 1)) + 1;
            depth[id] = d;
            return d;
        }
        foreach (var n in _nodes) Depth(n.Id, 0);
        foreach (var column in _nodes.GroupBy(n => depth[n.Id]))
        {
            var y = 0d;
            foreach (var n in column.OrderBy(n => n.Id, WorkflowConverter.IdOrder.Instance))
            {
                (n.X, n.Y) = (column.Key * ColumnWidth, y);
                y += Height(n, definitions) + RowGap;
            }
        }
    }

    /// <summary>About how tall the editor draws a node: its title, a row per socket, a field per widget (a prompt text taller).</summary>
    public static double Height(Node node, NodeDefinitions definitions)
    {
        if (definitions.Find(node.ClassType) is not { } d) return 60 + 28 * node.Inputs.Count;
        var sockets = Math.Max(d.Inputs.Count(i => !i.IsWidget), d.Outputs.Count);
        var widgets = d.Inputs.Where(i => i.IsWidget).Sum(i => i.Type == "STRING" && i.Flag("multiline") ? 110 : 56);
        return 56 + 28 * sockets + widgets;
    }

    /// <summary>Adds a node of a class at a place, its widgets at their defaults (a combo at its first choice).</summary>
    public Node Add(NodeDefinition definition, double x, double y)
    {
        var id = (_nodes.Select(n => long.TryParse(n.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0).DefaultIfEmpty(0).Max() + 1)
            .ToString(CultureInfo.InvariantCulture);
        var node = new Node(id, definition.Name) { Title = definition.DisplayName, X = x, Y = y };
        foreach (var input in definition.Inputs.Where(i => i.IsWidget && i.Required))
            node.Inputs[input.Name] = input.Default?.DeepClone() ?? (input.Choices is { Count: > 0 } c ? JsonValue.Create(c[0]) : input.Type switch
            {
                "INT" or "FLOAT" => JsonValue.Create(input.Min ?? 0),
                "BOOLEAN" => JsonValue.Create(false),
                _ => JsonValue.Create(""),
            });
        if (definition.Inputs.FirstOrDefault(i => i.HasControl) is { } seed) node.Randomized.Add(seed.Name);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Removes a node and every input that was linked to it.</summary>
    public void Remove(string id)
    {
        _nodes.RemoveAll(n => n.Id == id);
        foreach (var link in Links.Where(l => l.From == id).ToList()) Find(link.To)!.Inputs.Remove(link.Input);
    }

    /// <summary>
    /// Links output <paramref name="slot"/> of <paramref name="from"/> to input <paramref name="input"/> of
    /// <paramref name="to"/> (replacing what fed it), when their types fit; else the reason it does not.
    /// </summary>
    public string? Connect(string from, int slot, string to, string input, NodeDefinitions definitions)
    {
        if (from == to) return "A node cannot feed itself";
        if (Find(from) is not { } source || Find(to) is not { } target) return "Both nodes must be in the workflow";
        if (definitions.Find(source.ClassType) is { } s && definitions.Find(target.ClassType)?.Input(input) is { } i)
        {
            if (slot < 0 || slot >= s.Outputs.Count) return $"{source.ClassType} has no output {slot}";
            if (!WorkflowConverter.Compatible(s.Outputs[slot], i.Type == NodeInput.Combo ? "*" : i.Type))
                return $"{input} takes {i.Type}; this output gives {s.Outputs[slot]}";
        }
        if (Feeds(to, from)) return "That link would make a loop";
        target.Inputs[input] = new JsonArray(from, slot);
        return null;
    }

    private bool Feeds(string node, string into, int guard = 0) =>
        node == into || (guard <= _nodes.Count && Links.Where(l => l.From == node).Any(l => Feeds(l.To, into, guard + 1)));

    /// <summary>Removes the link into an input; a widget input gets its default value back.</summary>
    public void Disconnect(string to, string input, NodeDefinitions definitions)
    {
        if (Find(to) is not { } node) return;
        node.Inputs.Remove(input);
        if (definitions.Find(node.ClassType)?.Input(input) is { IsWidget: true } widget && widget.Default is { } d) node.Inputs[input] = d.DeepClone();
    }

    /// <summary>The graph in the API format: what <c>POST /prompt</c> takes, and, with <paramref name="withLayout"/>, each node's place (<c>_meta.pos</c>) and randomised seeds.</summary>
    public JsonObject ToApi(bool withLayout = false)
    {
        var prompt = new JsonObject();
        foreach (var n in _nodes.OrderBy(n => n.Id, WorkflowConverter.IdOrder.Instance))
        {
            var meta = new JsonObject { ["title"] = n.Title ?? n.ClassType };
            if (withLayout)
            {
                meta["pos"] = new JsonArray(Math.Round(n.X), Math.Round(n.Y));
                if (n.Randomized.Count > 0) meta["randomize"] = new JsonArray([.. n.Randomized.Order(StringComparer.Ordinal).Select(r => (JsonNode)r)]);
            }
            prompt[n.Id] = new JsonObject { ["inputs"] = n.Inputs.DeepClone(), ["class_type"] = n.ClassType, ["_meta"] = meta };
        }
        return prompt;
    }

    /// <summary>
    /// The graph in ComfyUI's UI format (version 0.4), so it opens in ComfyUI's editor: each node with its sockets,
    /// its widgets' values in the order ComfyUI draws them (a seed's "control after generate" after it), the link
    /// table, and the places kept. Ids that are not whole numbers are numbered after the others.
    /// </summary>
    public JsonObject ToUi(NodeDefinitions definitions)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in _nodes) if (long.TryParse(n.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i > 0) ids[n.Id] = i;
        var next = ids.Values.DefaultIfEmpty(0).Max();
        foreach (var n in _nodes) if (!ids.ContainsKey(n.Id)) ids[n.Id] = ++next;

        var links = Links.Where(l => ids.ContainsKey(l.From)).Select((l, i) => (Id: i + 1, Link: l)).ToList();
        var nodes = new JsonArray();
        var order = 0;
        foreach (var n in _nodes.OrderBy(n => ids[n.Id]))
        {
            var definition = definitions.Find(n.ClassType);
            var inputs = new JsonArray();
            var outputs = new JsonArray();
            var values = new JsonArray();
            var linkedHere = links.Where(l => l.Link.To == n.Id).ToDictionary(l => l.Link.Input, l => l.Id, StringComparer.Ordinal);
            foreach (var input in definition?.Inputs ?? [])
            {
                if (!input.IsWidget)
                {
                    if (input.Required || linkedHere.ContainsKey(input.Name))
                        inputs.Add(new JsonObject { ["name"] = input.Name, ["type"] = input.Type, ["link"] = linkedHere.TryGetValue(input.Name, out var l) ? l : null });
                }
                else if (linkedHere.TryGetValue(input.Name, out var wl))
                    inputs.Add(new JsonObject { ["name"] = input.Name, ["type"] = input.Type == NodeInput.Combo ? "COMBO" : input.Type, ["widget"] = new JsonObject { ["name"] = input.Name }, ["link"] = wl });
            }
            foreach (var (name, toPrompt, input) in definition is null ? [] : WorkflowConverter.Layout(definition, withForcedSockets: false))
                values.Add(name switch
                {
                    _ when toPrompt => Unwrap(n.Inputs[name] is { } v && !WorkflowValidator.IsLink(v, out _, out _) ? v.DeepClone() : input.Default?.DeepClone()),
                    "control_after_generate" => n.Randomized.Contains(input.Name) ? "randomize" : "fixed",
                    _ => "image",
                });
            for (var slot = 0; slot < (definition?.Outputs.Count ?? 0); slot++)
            {
                var from = links.Where(l => l.Link.From == n.Id && l.Link.Slot == slot).Select(l => (JsonNode)l.Id).ToArray();
                outputs.Add(new JsonObject
                {
                    ["name"] = definition!.OutputNames.ElementAtOrDefault(slot) ?? definition.Outputs[slot], ["type"] = definition.Outputs[slot],
                    ["links"] = from.Length == 0 ? null : new JsonArray(from), ["slot_index"] = slot,
                });
            }
            nodes.Add(new JsonObject
            {
                ["id"] = ids[n.Id], ["type"] = n.ClassType, ["pos"] = new JsonArray(Math.Round(n.X), Math.Round(n.Y)),
                ["size"] = new JsonArray(ColumnWidth - 40, Math.Round(Height(n, definitions))), ["flags"] = new JsonObject(), ["order"] = order++, ["mode"] = 0,
                ["title"] = n.Title, ["inputs"] = inputs, ["outputs"] = outputs,
                ["properties"] = new JsonObject { ["Node name for S&R"] = n.ClassType }, ["widgets_values"] = values,
            });
        }
        var table = new JsonArray();
        foreach (var (id, l) in links)
        {
            var type = definitions.Find(Find(l.From)!.ClassType)?.Outputs.ElementAtOrDefault(l.Slot) ?? "*";
            var targetSlot = 0;
            foreach (var input in nodes.OfType<JsonObject>().Single(n => n["id"]!.GetValue<long>() == ids[l.To])["inputs"]!.AsArray())
            {
                if (input!["name"]!.ToString() == l.Input) break;
                targetSlot++;
            }
            table.Add(new JsonArray(id, ids[l.From], l.Slot, ids[l.To], targetSlot, type));
        }
        return new JsonObject
        {
            ["last_node_id"] = next, ["last_link_id"] = links.Count, ["nodes"] = nodes, ["links"] = table, ["groups"] = new JsonArray(),
            ["config"] = new JsonObject(), ["extra"] = new JsonObject(), ["version"] = 0.4,
        };
    }

    private static JsonNode? Unwrap(JsonNode? value) => value is JsonObject o && o.Count == 1 && o["__value__"] is JsonArray a ? a.DeepClone() : value;
}
