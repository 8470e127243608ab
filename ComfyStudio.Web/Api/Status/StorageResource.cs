using System.Text.Json.Serialization;
using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Models;
using ComfyStudio.Services.Telemetry;

namespace ComfyStudio.Web.Api.Status;

/// <summary>The Dashboard API's <c>GET /api/system/storage</c>: the volume and the model files.</summary>
public sealed record StorageResource(StorageResource.Volume Workspace, StorageResource.ModelFiles Models)
{
    public sealed record Volume(string Path, double UsedGb, double TotalGb, double AvailableGb, double UsagePercent);

    /// <summary>Counts per folder with files; <c>folders</c> and <c>path</c> only with <c>detail=true</c>.</summary>
    public sealed record ModelFiles(
        int Count, double TotalSizeGb, IReadOnlyDictionary<string, int> ByType,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FolderSize>? Folders = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path = null);

    public sealed record FolderSize(string Folder, int Count, long SizeBytes, double SizeGb);

    public static StorageResource From(DiskReading disk, IReadOnlyList<ModelFolderFigures> folders, string? modelsPath, bool detail)
    {
        var models = new ModelFiles(folders.Sum(f => f.Count), ByteSize.Gb(folders.Sum(f => f.Bytes)),
            folders.Where(f => f.Count > 0).ToDictionary(f => f.Folder, f => f.Count));
        if (detail)
            models = models with
            {
                Folders = [.. folders.Select(f => new FolderSize(f.Folder, f.Count, f.Bytes, ByteSize.Gb(f.Bytes)))],
                Path = modelsPath,
            };
        return new(new Volume(disk.Path, ByteSize.Gb(disk.UsedBytes), ByteSize.Gb(disk.TotalBytes), ByteSize.Gb(disk.FreeBytes),
            Percent.Round(disk.Percent)), models);
    }
}
