using System.Text.Json.Nodes;
using ComfyStudio.Services.Events;

namespace ComfyStudio.Services.Models;

/// <summary>A full check of model files hashes on: how far, and how fast.</summary>
public sealed record ModelValidationProgressed(string JobId, int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, double MegabytesPerSecond,
    string? CurrentFile) : StudioEvent
{
    public override string Type => "model.validation.progress";
    public override string Message => $"Checking models: {FilesDone} of {FilesTotal}";
    public override bool Persist => false;
}

/// <summary>A full check ended: how many files, how many hashed now (the rest were unchanged since their last check), and the mismatches.</summary>
public sealed record ModelValidationFinished(string JobId, int Files, int Hashed, IReadOnlyList<string> Mismatched) : StudioEvent
{
    public override string Type => "model.validation.finished";
    public override EventSeverity Severity => Mismatched.Count == 0 ? EventSeverity.Success : EventSeverity.Error;
    public override string Message => Mismatched.Count == 0
        ? $"Checked {Files} model file(s): every known hash matches"
        : $"Checked {Files} model file(s): {Mismatched.Count} do not match their known SHA-256 ({string.Join(", ", Mismatched.Take(5))})";
    public override JsonObject? Data => new() { ["job_id"] = JobId, ["files"] = Files, ["hashed"] = Hashed, ["mismatched"] = new JsonArray([.. Mismatched.Select(m => (JsonNode)m)]) };
}
