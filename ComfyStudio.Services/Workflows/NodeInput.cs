using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// One input of a node class: its type (<c>INT</c>, <c>FLOAT</c>, <c>STRING</c>, <c>BOOLEAN</c>, <c>COMBO</c> with its
/// choices, or a socket type such as <c>MODEL</c>), whether it is required, and its options (<c>min</c>, <c>max</c>,
/// <c>step</c>, <c>default</c>, <c>multiline</c>, <c>forceInput</c>, <c>control_after_generate</c>, <c>image_upload</c>…).
/// </summary>
public sealed record NodeInput(string Name, string Type, bool Required, IReadOnlyList<string>? Choices, JsonObject Options)
{
    public const string Combo = "COMBO";
    private static readonly HashSet<string> WidgetTypes = ["INT", "FLOAT", "STRING", "BOOLEAN", Combo];

    /// <summary>The frontend draws a widget for it (a value in <c>widgets_values</c>), rather than a socket only.</summary>
    public bool IsWidget => WidgetTypes.Contains(Type) && !Flag("forceInput");

    /// <summary>A widget input that a frontend of 2023–2024 would not draw because of <c>forceInput</c>, but once saved a value for.</summary>
    public bool IsForcedSocket => WidgetTypes.Contains(Type) && Flag("forceInput");

    /// <summary><c>control_after_generate</c>: the frontend adds a widget (fixed, increment, randomize…) right after this one.</summary>
    public bool HasControl => Options["control_after_generate"] is JsonValue v && (v.GetValueKind() == JsonValueKind.String || v.GetValueKind() == JsonValueKind.True);

    /// <summary>An image, video or audio upload combo: the frontend adds an <c>upload</c> button widget after it.</summary>
    public bool HasUpload => Flag("image_upload") || Flag("video_upload") || Flag("audio_upload") || Flag("animated_image_upload");

    public double? Min => Number("min");
    public double? Max => Number("max");
    public double? Step => Number("step");
    public JsonNode? Default => Options["default"];

    public bool Flag(string name) => Options[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private double? Number(string name) => Options[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    public static NodeInput Parse(string name, JsonNode? spec, bool required)
    {
        var parts = spec as JsonArray;
        var head = parts is { Count: > 0 } ? parts[0] : spec;
        var options = parts is { Count: > 1 } && parts[1] is JsonObject o ? (JsonObject)o.DeepClone() : [];
        return head switch
        {
            JsonArray list => new NodeInput(name, Combo, required, ReadChoices(list), options),
            JsonValue v when v.TryGetValue<string>(out var type) && type == Combo => new NodeInput(name, Combo, required, ReadChoices(options["options"] as JsonArray), options),
            JsonValue v when v.TryGetValue<string>(out var type) => new NodeInput(name, type, required, null, options),
            _ => new NodeInput(name, "*", required, null, options),
        };
    }

    private static List<string> ReadChoices(JsonArray? list) =>
        list is null ? [] : [.. list.Select(c => c is JsonValue v && v.TryGetValue<string>(out var s) ? s : c?.ToJsonString() ?? "")];
}
