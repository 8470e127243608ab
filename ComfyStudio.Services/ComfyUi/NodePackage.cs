using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>Custom-node packages from <c>/object_info</c>: <c>custom_nodes.&lt;pkg&gt;</c> per package, the rest is "ComfyUI Core".</summary>
public sealed record NodePackage(string Name, int NodeCount);
