using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Components.Workflows;

/// <summary>A node of the workflow on the canvas: the graph's node and its class from ComfyUI's node list (null when ComfyUI lacks it).</summary>
public sealed class EditorNode : NodeModel
{
    public EditorNode(WorkflowGraph.Node node, NodeDefinition? definition) : base(node.Id, new Point(node.X, node.Y))
    {
        Node = node;
        Definition = definition;
        Title = node.Title ?? definition?.DisplayName ?? node.ClassType;
        var linked = node.Inputs.Where(kv => WorkflowValidator.IsLink(kv.Value, out _, out _)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        // Sockets: every input that is no widget, and a widget input a link feeds (ComfyUI turns it into a socket).
        foreach (var input in definition?.Inputs.Where(i => !i.IsWidget || linked.Contains(i.Name)) ?? [])
            AddPort(new EditorPort(this, input.Name, null, input.Type == NodeInput.Combo ? "*" : input.Type));
        foreach (var name in linked.Where(n => definition?.Input(n) is null)) AddPort(new EditorPort(this, name, null, "*"));
        for (var slot = 0; slot < (definition?.Outputs.Count ?? 0); slot++)
            AddPort(new EditorPort(this, null, slot, definition!.Outputs[slot]));
    }

    public WorkflowGraph.Node Node { get; }
    public NodeDefinition? Definition { get; }

    public IEnumerable<EditorPort> InputPorts => Ports.OfType<EditorPort>().Where(p => !p.IsOutput);
    public IEnumerable<EditorPort> OutputPorts => Ports.OfType<EditorPort>().Where(p => p.IsOutput);
    public EditorPort? InputPort(string name) => InputPorts.FirstOrDefault(p => p.Input == name);
    public EditorPort? OutputPort(int slot) => OutputPorts.FirstOrDefault(p => p.Slot == slot);
}

/// <summary>A socket: an input by name (left) or an output by slot (right), with its ComfyUI type; links join an output to an input whose type fits.</summary>
public sealed class EditorPort(EditorNode parent, string? input, int? slot, string type)
    : PortModel($"{parent.Id}:{(input is null ? "out:" + slot : "in:" + input)}", parent, input is null ? PortAlignment.Right : PortAlignment.Left, null, null)
{
    public string? Input { get; } = input;
    public int? Slot { get; } = slot;
    public string Type { get; } = type;
    public bool IsOutput => Slot is not null;
    public string Label => Input ?? (((EditorNode)Parent).Definition?.OutputNames.ElementAtOrDefault(Slot!.Value) ?? Type);

    public override bool CanAttachTo(ILinkable other) =>
        other is EditorPort p && base.CanAttachTo(p) && p.IsOutput != IsOutput && p.Parent != Parent
        && (IsOutput ? WorkflowConverter.Compatible(Type, p.Type) : WorkflowConverter.Compatible(p.Type, Type));
}
