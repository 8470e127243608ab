using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Status;

/// <summary>
/// Counts the model files under <c>COMFYUI_DIR/models</c> per top folder. Unfinished downloads (<c>.part</c>) and
/// ComfyUI's placeholder files are not models; links to folders are not followed (no loops, no escaping the folder).
/// </summary>
public sealed class ModelFolders(IOptions<StudioOptions> options)
{
    public static readonly IReadOnlySet<string> ModelExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".safetensors", ".sft", ".ckpt", ".pt", ".pt2", ".pth", ".bin", ".pkl", ".gguf", ".onnx",
    };

    public IReadOnlyList<ModelFolderFigures> Read()
    {
        var root = options.Value.ModelsDir;
        if (!Directory.Exists(root)) return [];
        var result = new List<ModelFolderFigures>();
        foreach (var folder in new DirectoryInfo(root).EnumerateDirectories().Where(d => !d.Attributes.HasFlag(FileAttributes.ReparsePoint)).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var (count, bytes) = (0, 0L);
            foreach (var file in Files(folder))
            {
                count++;
                bytes += file.Length;
            }
            result.Add(new ModelFolderFigures(folder.Name, count, bytes));
        }
        return result;
    }

    private static IEnumerable<FileInfo> Files(DirectoryInfo dir)
    {
        var pending = new Stack<DirectoryInfo>([dir]);
        while (pending.TryPop(out var current))
        {
            IEnumerable<FileSystemInfo> entries;
            try { entries = current.EnumerateFileSystemInfos().ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var entry in entries)
            {
                if (entry is DirectoryInfo sub)
                {
                    if (!sub.Attributes.HasFlag(FileAttributes.ReparsePoint)) pending.Push(sub);
                }
                else if (entry is FileInfo file && ModelExtensions.Contains(file.Extension) && file.Exists)
                    yield return file;
            }
        }
    }
}
