namespace ComfyStudio.Services.ComfyUi;

/// <summary>Custom-node packages from <c>/object_info</c>: <c>custom_nodes.&lt;pkg&gt;</c> per package, the rest is "ComfyUI Core".</summary>
public sealed record NodePackage(string Name, int NodeCount);
