namespace ComfyStudio.Services.Settings;

/// <summary>One environment variable the Settings page shows.</summary>
public sealed record EnvVarDefinition(string Key, string Description, string Default = "", bool Sensitive = false, bool Editable = false);
