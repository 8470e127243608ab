using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Models;

/// <summary>A rescan found the disk changed: files new or changed (headers read again) and files gone.</summary>
public sealed record ModelsIndexChanged(int Files, int Reread, int Removed) : StudioEvent
{
    public override string Type => "model.index.changed";
    public override string Message => $"Models index: {Reread} new or changed, {Removed} gone ({Files} files)";
    public override bool Persist => false;
}
