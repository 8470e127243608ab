namespace ComfyStudio.Services.Updates;

/// <summary>A component to deploy, and its path in the release.</summary>
public sealed record DeployPart(ReleaseComponent Component, string Source);
