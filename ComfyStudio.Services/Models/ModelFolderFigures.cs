namespace ComfyStudio.Services.Models;

/// <summary>Model files of one folder of <c>COMFYUI_DIR/models</c> (ComfyUI's folder names).</summary>
public sealed record ModelFolderFigures(string Folder, int Count, long Bytes);
