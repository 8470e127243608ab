namespace ComfyStudio.Services.Models;

/// <summary>
/// One of ComfyUI's model folders (<c>folder_paths.py</c>): its id, a display name, the folders under <c>models/</c>
/// it reads (the legacy <c>unet</c> and <c>clip</c> included) and the file extensions it lists (empty: every file).
/// </summary>
public sealed record ModelType(string Id, string Name, IReadOnlyList<string> Folders, IReadOnlyList<string> Extensions)
{
    public static readonly IReadOnlyList<string> PtExtensions = [".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft", ".gguf"];

    /// <summary>ComfyUI 0.3.64's folders in its order (GGUF added: the ComfyUI-GGUF nodes read it from the same folders).</summary>
    public static readonly IReadOnlyList<ModelType> All =
    [
        new("checkpoints", "Checkpoints", ["checkpoints"], PtExtensions),
        new("loras", "LoRAs", ["loras"], PtExtensions),
        new("vae", "VAE", ["vae"], PtExtensions),
        new("text_encoders", "Text encoders", ["text_encoders", "clip"], PtExtensions),
        new("diffusion_models", "Diffusion models", ["diffusion_models", "unet"], PtExtensions),
        new("clip_vision", "CLIP vision", ["clip_vision"], PtExtensions),
        new("style_models", "Style models", ["style_models"], PtExtensions),
        new("embeddings", "Embeddings", ["embeddings"], PtExtensions),
        new("vae_approx", "VAE approx", ["vae_approx"], PtExtensions),
        new("controlnet", "ControlNet", ["controlnet", "t2i_adapter"], PtExtensions),
        new("gligen", "GLIGEN", ["gligen"], PtExtensions),
        new("upscale_models", "Upscale models", ["upscale_models"], PtExtensions),
        new("hypernetworks", "Hypernetworks", ["hypernetworks"], PtExtensions),
        new("photomaker", "PhotoMaker", ["photomaker"], PtExtensions),
        new("model_patches", "Model patches", ["model_patches"], PtExtensions),
        new("audio_encoders", "Audio encoders", ["audio_encoders"], PtExtensions),
        new("configs", "Configs", ["configs"], [".yaml"]),
    ];

    /// <summary>The type a folder under <c>models/</c> belongs to (<c>unet</c> → <c>diffusion_models</c>), or null.</summary>
    public static ModelType? OfFolder(string folder) =>
        All.FirstOrDefault(t => t.Folders.Contains(folder, StringComparer.Ordinal));

    public static ModelType? Find(string id) =>
        All.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase)) ?? OfFolder(id);

    public bool Lists(string fileName) =>
        Extensions.Count == 0 || Extensions.Contains(Path.GetExtension(fileName).ToLowerInvariant(), StringComparer.Ordinal);
}
