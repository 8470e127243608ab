namespace ComfyStudio.Services.Auth;

/// <summary>Who a valid key belongs to: the primary key, or a named key.</summary>
/// <param name="Name"><c>primary</c>, or the named key's name.</param>
/// <param name="Fingerprint">First 16 hex characters of the key's SHA-256; ties a login session to the key.</param>
public sealed record ApiKeyIdentity(string Name, string Fingerprint, bool IsPrimary);
