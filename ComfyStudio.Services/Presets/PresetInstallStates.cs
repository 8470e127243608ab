namespace ComfyStudio.Services.Presets;

/// <summary>
/// Where a preset stands on this pod, as the API's <c>status</c> and the Presets page show it. A preset is
/// <see cref="Installed"/> when the owner installed it and every file verifies; <see cref="FilesPresent"/> when its
/// files arrived with another preset (its install is then immediate).
/// </summary>
public static class PresetInstallStates
{
    public const string Installed = "installed";
    public const string Installing = "installing";
    public const string Paused = "paused";
    public const string Failed = "failed";
    public const string FilesPresent = "files_present";
    public const string Partial = "partial";
    public const string NotInstalled = "not_installed";
}
