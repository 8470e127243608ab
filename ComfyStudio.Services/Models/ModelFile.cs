namespace ComfyStudio.Services.Models;

/// <summary>
/// A model file ComfyUI can load: <paramref name="Path"/> as ComfyUI's folders name it (<c>checkpoints/x.safetensors</c>;
/// for a file under an extra root of <c>extra_model_paths.yaml</c>, <c>&lt;root&gt;:checkpoints/x.safetensors</c>), its
/// type (one of <see cref="ModelType.All"/>), size, time, what its header says, and the presets whose files it is.
/// </summary>
public sealed record ModelFile(
    string Path, string Type, long Size, DateTime Modified, ModelInspection Inspection, string Root, string FullPath,
    IReadOnlyList<string> Presets)
{
    public const string MainRoot = "models";

    /// <summary>Under the studio's own models folder (only those can be deleted through the studio).</summary>
    public bool InModelsFolder => Root == MainRoot;
}
