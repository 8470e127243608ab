using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ComfyStudio.Web.Api.Conventions;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>One message of the live feed, either way: <c>{"type": …, "action"?: …, "data"?: {…}}</c>, in the API's JSON convention.</summary>
public sealed record LiveMessage(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Action = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data = null)
{
    public byte[] ToUtf8() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, StudioJson.Options);

    /// <summary><c>error</c>: the error body's <c>code</c>, <c>message</c> and <c>details</c> (an object, empty when there are none).</summary>
    public static LiveMessage Error(string code, string message, object? details = null) =>
        new("error", Data: new ErrorData(code, message, details ?? new JsonObject()));

    public sealed record ErrorData(string Code, string Message, object Details);
}
