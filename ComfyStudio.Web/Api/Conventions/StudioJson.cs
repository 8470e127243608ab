using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComfyStudio.Web.Api.Conventions;

/// <summary>
/// The one JSON convention of the API, the live feed and the error body: snake_case names by policy (records are
/// named in C#, never by hand), dictionary keys as they are, enums as snake_case words, non-ASCII text unescaped.
/// </summary>
public static class StudioJson
{
    /// <summary>For writing outside MVC (the live feed, the log stream, error bodies written by middleware).</summary>
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>Applies the convention to options the framework owns (MVC's and minimal APIs').</summary>
    public static void Apply(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping; // JSON for API clients, never inlined in HTML
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(o);
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
