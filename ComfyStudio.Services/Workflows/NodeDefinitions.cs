using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>Every node class ComfyUI knows, from its <c>/object_info</c>, by class name.</summary>
public sealed class NodeDefinitions(IReadOnlyDictionary<string, NodeDefinition> classes)
{
    public static readonly NodeDefinitions Empty = new(new Dictionary<string, NodeDefinition>());

    public IReadOnlyDictionary<string, NodeDefinition> Classes { get; } = classes;

    public NodeDefinition? Find(string? name) => name is not null && Classes.TryGetValue(name, out var d) ? d : null;

    public static NodeDefinitions Parse(JsonObject objectInfo) => new(objectInfo
        .Where(kv => kv.Value is JsonObject)
        .ToDictionary(kv => kv.Key, kv => NodeDefinition.Parse(kv.Key, (JsonObject)kv.Value!), StringComparer.Ordinal));
}
