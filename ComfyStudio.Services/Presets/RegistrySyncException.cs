namespace ComfyStudio.Services.Presets;

/// <summary>A sync that could not complete; the catalog in use did not change.</summary>
public sealed class RegistrySyncException(string message, Exception? inner = null) : Exception(message, inner);
