using System.Text.Json.Nodes;
using ComfyStudio.Services.ComfyUi;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// ComfyUI's node classes, from its <c>/object_info</c>: read once and kept, read again when ComfyUI (re)connects
/// (a custom node may have been installed), and kept on disk (<c>STUDIO_DIR/comfyui-object-info.json</c>) so that
/// conversion and validation work while ComfyUI is down or starting.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A singleton that lives as long as the process")]
public sealed class NodeCatalog
{
    private readonly ComfyUiClient _comfyUi;
    private readonly ILogger<NodeCatalog> _logger;
    private readonly string _cacheFile;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private NodeDefinitions? _current;
    private bool _live;
    private long _triedAt = long.MinValue;

    /// <summary>After ComfyUI failed to answer, the kept copy serves this long before ComfyUI is asked again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(15);

    public NodeCatalog(ComfyUiClient comfyUi, EventBus bus, IOptions<StudioOptions> options, ILogger<NodeCatalog> logger)
    {
        (_comfyUi, _logger) = (comfyUi, logger);
        _cacheFile = Path.Combine(options.Value.StudioDir!, "comfyui-object-info.json");
        bus.Subscribe<ComfyUiConnectionChanged>(c =>
        {
            if (c.Connected) (_live, _triedAt) = (false, long.MinValue); // re-read on the next use
            return Task.CompletedTask;
        });
    }

    /// <summary>True when the classes came from ComfyUI itself since it last connected (not from the copy on disk).</summary>
    public bool Live => _live;

    /// <summary>The node classes: ComfyUI's, else the last copy kept, else none (then only the structure can be checked).</summary>
    public async Task<NodeDefinitions> GetAsync(CancellationToken ct = default)
    {
        if (_live && _current is { } fresh) return fresh;
        await _reading.WaitAsync(ct);
        try
        {
            if (_live && _current is { } again) return again;
            var askedLately = _triedAt != long.MinValue && System.Diagnostics.Stopwatch.GetElapsedTime(_triedAt) < RetryAfter;
            if (!askedLately) _triedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!askedLately && await _comfyUi.ObjectInfoAsync(ct) is { Count: > 0 } info)
            {
                _current = NodeDefinitions.Parse(info);
                _live = true;
                try { FileSystemSwap.WriteAtomically(_cacheFile, info.ToJsonString()); }
                catch (IOException e) { _logger.LogWarning("Could not keep ComfyUI's node list: {Reason}", e.Message); }
                return _current;
            }
            if (_current is null && File.Exists(_cacheFile))
            {
                try { _current = NodeDefinitions.Parse(JsonNode.Parse(await File.ReadAllTextAsync(_cacheFile, ct))!.AsObject()); }
                catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
                {
                    _logger.LogWarning("The kept copy of ComfyUI's node list is unreadable: {Reason}", e.Message);
                }
            }
            return _current ?? NodeDefinitions.Empty;
        }
        finally
        {
            _reading.Release();
        }
    }
}
