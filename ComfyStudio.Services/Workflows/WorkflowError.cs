namespace ComfyStudio.Services.Workflows;

/// <summary>
/// One thing wrong with a workflow, where it is: the node (and its class), the input when it is one, ComfyUI's own
/// word for the kind (<c>missing_node_type</c>, <c>required_input_missing</c>, <c>value_not_in_list</c>…), and a
/// sentence for the person. The editor marks the node and input; <c>INVALID_WORKFLOW</c> lists them as
/// <c>node_errors</c>.
/// </summary>
public sealed record WorkflowError(string? NodeId, string? ClassType, string? Input, string Type, string Message);
