namespace ComfyStudio.Services.Downloads;

/// <summary>What a probe learned of a file: where it really is, its size, whether ranges work, and its identity.</summary>
/// <param name="Validator">What identifies this version of the file (ETag, Hugging Face's linked ETag, or size and date).</param>
/// <param name="LinkedSha256">Hugging Face's <c>X-Linked-Etag</c> when it is an LFS file's SHA-256.</param>
/// <param name="StrongETag">The final answer's ETag (quoted) when it is strong: sent as <c>If-Range</c>, so a file that
/// changes on the server mid-download comes back whole (200) instead of as pieces of two versions.</param>
public sealed record RemoteFile(Uri FinalUrl, long? Size, bool AcceptsRanges, string? Validator, string? LinkedSha256, string? StrongETag = null);
