using ComfyStudio.Services.ComfyUi;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Web.LiveFeed;

/// <summary>What the studio's events become on the feed (the Dashboard API's messages, and ours beside them).</summary>
public static class LiveMessages
{
    /// <summary>
    /// What a subscriber receives for an event: telemetry samples as <c>system_status</c>, persisted events as
    /// <c>event</c>; other live ticks have their own messages (their features add them) or none. Every end of a
    /// download is a <c>download_complete</c> (<c>status</c>: success, failed or cancelled); a failure also sends its
    /// <c>error</c>.
    /// </summary>
    public static IReadOnlyList<LiveMessage> Of(StudioEvent evt) => evt switch
    {
        TelemetrySampled t => [new("system_status", Data: SystemStatusData.From(t.Snapshot))],
        DownloadProgressed p => [new("download_progress", Data: DownloadProgressData.From(p.Download))],
        DownloadCompleted c => [Complete(new(c.DownloadId, c.PresetId, "success", TimeTakenSeconds: c.Seconds))],
        DownloadFailed f =>
        [
            Complete(new(f.DownloadId, f.PresetId, "failed", File: f.File, Error: f.Reason, ErrorCode: ErrorCodes.ForClients(f.Code))),
            LiveMessage.Error(ErrorCodes.ForClients(f.Code)!, f.Message,
                new DownloadFailedDetails(f.DownloadId, f.PresetId, f.File, f.Reason, f.Code == ErrorCodes.AccessDenied)),
        ],
        DownloadStateChanged { Status: DownloadStates.Cancelled } x =>
            [Complete(new(x.DownloadId, x.PresetId, "cancelled", Error: "cancelled by the user")), EventMessage(evt)],
        QueueChanged q => [new("queue_update", Data: new QueueUpdateData(q.Pending, q.Running,
            q.RunningPromptId is { } running ? new QueueUpdateData.Task(running, "generation") : null))],
        GenerationProgressed g => [new("workflow_progress", Data: new WorkflowProgressData(g.PromptId, g.Node, g.Value, g.Max, g.Kind))],
        GenerationOutput o => [new("workflow_output", Data: new WorkflowOutputData(o.PromptId, o.Node, o.Output))],
        GenerationFinished { Status: GenerationStates.Failed } f =>
        [
            LiveMessage.Error(ErrorCodes.GenerationFailed, f.Message,
                new GenerationFailedDetails(f.PromptId, f.NodeId, f.NodeType, f.Error)),
            EventMessage(evt),
        ],
        ComfyStudio.Services.Models.ModelValidationProgressed m => [new("model_validation", Data: new ModelValidationData(m.JobId, m.FilesDone, m.FilesTotal,
            m.BytesDone, m.BytesTotal, m.MegabytesPerSecond, m.CurrentFile))],
        ComfyStudio.Services.Workflows.WorkflowReadinessChanged r => [new("workflow_readiness", Data: new WorkflowReadinessData(r.WorkflowId, r.Name,
            r.Readiness.Ready, [.. r.Readiness.Missing.Select(m => m.Path)], r.Readiness.MissingNodes))],
        { Persist: true } => [EventMessage(evt)],
        _ => [],
    };

    public static LiveMessage EventMessage(StudioEvent evt) => new("event", Data: Api.Events.EventResource.From(evt));

    private static LiveMessage Complete(DownloadCompleteData data) => new("download_complete", Data: data);

    /// <summary>The Dashboard API's <c>system_status</c>: usage percentages, rounded.</summary>
    public sealed record SystemStatusData(int CpuUsage, int MemoryUsage, int? GpuUsage, int DiskUsage, int? VramUsage, string Timestamp)
    {
        public static SystemStatusData From(TelemetrySnapshot t) => new(
            (int)Math.Round(t.Cpu.UtilizationPercent), (int)Math.Round(t.Memory.Percent),
            t.Gpus is { Count: > 0 } g && g[0].UtilizationPercent is { } u ? (int)Math.Round(u) : null,
            (int)Math.Round(t.Disk.Percent), t.Gpus is { Count: > 0 } v ? (int)Math.Round(v[0].MemoryPercent) : null, ApiTime.Precise(t.TakenAt));
    }

    /// <summary>The Dashboard API's <c>download_progress</c>, with exact figures beside the readable ones.</summary>
    public sealed record DownloadProgressData(
        string DownloadId, string? PresetId, string Status, double Progress, string? CurrentFile, string Speed, string? Eta,
        double SpeedMbps, long? EtaSeconds, long DownloadedBytes, long TotalBytes, FileCounts Files)
    {
        public static DownloadProgressData From(DownloadView v) => new(
            v.Id, v.PresetId, v.Status, v.Progress, v.CurrentFile, ByteSize.Speed(v.SpeedBytesPerSecond),
            v.EtaSeconds is { } eta ? Duration.Left(eta) : null, v.SpeedMegabytesPerSecond, v.EtaSeconds, v.DownloadedBytes, v.TotalBytes,
            new FileCounts(v.FilesTotal, v.FilesCompleted));
    }

    public sealed record FileCounts(int Total, int Completed);

    /// <summary><c>download_complete</c>; <c>status</c> is success, failed or cancelled, with what each end knows.</summary>
    public sealed record DownloadCompleteData(
        string DownloadId, string? PresetId, string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? TimeTakenSeconds = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? File = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorCode = null);

    /// <summary>The Dashboard API's <c>queue_update</c>: how many wait and run, and the prompt running.</summary>
    public sealed record QueueUpdateData(int QueuePending, int QueueRunning, QueueUpdateData.Task? CurrentTask)
    {
        public sealed record Task(string PromptId, string Type);
    }

    /// <summary>The Dashboard API's <c>workflow_progress</c>: a node of a generation and its step (<c>type</c>: executing or progress).</summary>
    public sealed record WorkflowProgressData(string PromptId, string? Node, int Value, int Max, string Type);

    /// <summary>The Dashboard API's <c>workflow_output</c>: what a node produced (<c>{"images": [...]}</c>).</summary>
    public sealed record WorkflowOutputData(string PromptId, string Node, JsonObject Output);

    /// <summary>A full model check's progress: files and bytes done of total, and the hashing speed.</summary>
    public sealed record ModelValidationData(string JobId, int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, double SpeedMbps, string? CurrentFile);

    /// <summary>A workflow's readiness changed: ready or not, the model files (<c>folder/name</c>) and node classes it still misses.</summary>
    public sealed record WorkflowReadinessData(string WorkflowId, string Name, bool Ready, IReadOnlyList<string> MissingModels, IReadOnlyList<string> MissingNodes);

    public sealed record GenerationFailedDetails(string PromptId, string? NodeId, string? NodeType, string? Error);

    public sealed record DownloadFailedDetails(string DownloadId, string? PresetId, string? File, string Error, bool AccessDenied);
}
