namespace ComfyStudio.Services.Settings;

public enum EnvGroupCondition { Always, RunPodOnly, DevModeOnly }
