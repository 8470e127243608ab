namespace ComfyStudio.Web.Components.Shared;

/// <summary>What <c>studio.timeZone()</c> answers: the IANA zone and the offset now (minutes east of UTC).</summary>
public sealed record BrowserZone(string? Id, int OffsetMinutes);
