namespace ComfyStudio.Services.Settings;

public sealed record EnvGroupView(string Id, string Label, IReadOnlyList<EnvVarView> Vars);
