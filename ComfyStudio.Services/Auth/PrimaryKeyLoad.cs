namespace ComfyStudio.Services.Auth;

/// <summary>How the primary key was loaded: the key generated just now (to be shown once), and why a configured key was not used.</summary>
public sealed record PrimaryKeyLoad(string? Generated, string? Unusable);
