namespace ComfyStudio.Services.Settings;

/// <summary>A variable as the Settings page and <c>GET /api/admin/settings/env</c> show it: secrets masked.</summary>
public sealed record EnvVarView(string Key, string Value, bool Sensitive, bool Set, string Default, string Description, bool Editable);
