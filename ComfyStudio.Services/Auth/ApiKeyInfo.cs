namespace ComfyStudio.Services.Auth;

/// <summary>A named key as listed (never the key itself).</summary>
public sealed record ApiKeyInfo(string Name, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt);
