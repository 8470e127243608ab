namespace ComfyStudio.Services.Models;

/// <summary>The order of a page of the models index: by path, the largest first, or the newest first.</summary>
public enum ModelSort
{
    Name,
    Size,
    Date,
}
