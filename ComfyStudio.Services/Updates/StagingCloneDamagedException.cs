namespace ComfyStudio.Services.Updates;

/// <summary>The staging clone could not give a release's files (an object missing or unreadable); it has been removed, so the next fetch clones afresh.</summary>
public sealed class StagingCloneDamagedException(string message, Exception? inner = null) : UpdateFailedException(message, inner);
