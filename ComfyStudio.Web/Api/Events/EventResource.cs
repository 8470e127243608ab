using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;

namespace ComfyStudio.Web.Api.Events;

/// <summary>A recorded event, as the Events API lists it and the live feed's <c>event</c> message carries it.</summary>
public sealed record EventResource(string Id, string Type, string Timestamp, string Severity, string Message, JsonObject? Data)
{
    public static EventResource From(StudioEvent e) =>
        new(e.Id, e.Type, ApiTime.Precise(e.Timestamp), e.Severity.Name(), e.Message, e.Data?.DeepClone().AsObject());
}
