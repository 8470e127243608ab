namespace ComfyStudio.Services.Settings;

/// <summary>A group of variables; <see cref="Shown"/> decides whether this install shows it at all.</summary>
public sealed record EnvGroupDefinition(string Id, string Label, IReadOnlyList<EnvVarDefinition> Vars, EnvGroupCondition Shown = EnvGroupCondition.Always);
