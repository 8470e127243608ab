using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>A prompt in ComfyUI's queue: its id and its number (the order it runs in).</summary>
public sealed record QueuedPrompt(string PromptId, long Number);
