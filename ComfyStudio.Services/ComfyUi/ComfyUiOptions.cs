using System.ComponentModel.DataAnnotations;

namespace ComfyStudio.Services.ComfyUi;

/// <summary>The ComfyUI connection's settings (section <c>ComfyUi</c>).</summary>
public sealed class ComfyUiOptions
{
    public const string Section = "ComfyUi";

    /// <summary>The first wait before the socket to ComfyUI is opened again; it doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")] public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")] public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An execute is <c>QUEUE_FULL</c> (507) when this many prompts already wait.</summary>
    [Range(1, 100_000)] public int MaxPending { get; set; } = 100;
}
