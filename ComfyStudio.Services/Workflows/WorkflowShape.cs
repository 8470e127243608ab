using System.Text.Json.Nodes;
using ComfyStudio.Services.Errors;

namespace ComfyStudio.Services.Workflows;

/// <summary>The structure of an API-format graph, checked before ComfyUI sees it: <c>{"&lt;id&gt;": {"class_type": str, "inputs": {…}}}</c>.</summary>
public static class WorkflowShape
{
    public static void EnsureApiFormat(JsonObject graph)
    {
        if (graph["nodes"] is JsonArray && graph["links"] is not null)
            throw new StudioException(ErrorCodes.InvalidWorkflow,
                "This is ComfyUI's UI format (what its editor saves); execute takes the API format (Export (API) in ComfyUI's menu)");
        if (graph.Count == 0) throw new StudioException(ErrorCodes.InvalidWorkflow, "The workflow has no nodes");
        var problems = new List<Dictionary<string, object?>>();
        foreach (var (id, node) in graph)
        {
            if (node is not JsonObject n) problems.Add(Problem(id, null, "a node must be an object with class_type and inputs"));
            else if (n["class_type"] is not JsonValue c || !c.TryGetValue<string>(out var cls) || cls.Length == 0)
                problems.Add(Problem(id, null, "class_type is missing"));
            else if (n["inputs"] is not null and not JsonObject) problems.Add(Problem(id, cls, "inputs must be an object"));
        }
        if (problems.Count > 0)
            throw new StudioException(ErrorCodes.InvalidWorkflow, $"The workflow is not an API-format graph: node {problems[0]["node_id"]}: {problems[0]["message"]}",
                new Dictionary<string, object?> { ["node_errors"] = problems });
    }

    private static Dictionary<string, object?> Problem(string id, string? cls, string message) =>
        new() { ["node_id"] = id, ["class_type"] = cls, ["input"] = null, ["type"] = "invalid_node", ["message"] = message };
}
