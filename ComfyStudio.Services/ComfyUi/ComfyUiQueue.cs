using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>ComfyUI's queue: what runs now and what waits, by number.</summary>
public sealed record ComfyUiQueue(IReadOnlyList<QueuedPrompt> Running, IReadOnlyList<QueuedPrompt> Pending);
