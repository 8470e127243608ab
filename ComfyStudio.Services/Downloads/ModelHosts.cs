using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// What the engine knows of the hosts models come from: Hugging Face page URLs are turned into file URLs, and each
/// token goes to its own host only — <c>HF_TOKEN</c> as a bearer token to Hugging Face, <c>CIVITAI_API_KEY</c> as
/// <c>?token=</c> to CivitAI — never to a host a redirect leads to.
/// </summary>
public sealed class ModelHosts(IOptions<DownloadOptions> options)
{
    public bool IsHuggingFace(Uri uri) =>
        options.Value.HuggingFaceHosts.Any(h => uri.Host.Equals(h, StringComparison.OrdinalIgnoreCase));

    public bool IsCivitai(Uri uri) =>
        options.Value.CivitaiHosts.Any(h => uri.Host.Equals(h, StringComparison.OrdinalIgnoreCase)
                                            || uri.Host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>https://huggingface.co/org/repo/blob/main/x.safetensors</c> (the page) becomes <c>…/resolve/main/x.safetensors</c>
    /// (the file); other URLs are returned as they are.
    /// </summary>
    public Uri Normalize(Uri uri)
    {
        if (!IsHuggingFace(uri)) return uri;
        var segments = uri.AbsolutePath.Split('/');
        var blob = Array.IndexOf(segments, "blob"); // "", org, repo, "blob", revision, path…
        if (blob < 3) return uri;
        segments[blob] = "resolve";
        return new UriBuilder(uri) { Path = string.Join('/', segments) }.Uri;
    }

    /// <summary>The URL to request: CivitAI's key added as <c>?token=</c> when it goes to CivitAI.</summary>
    public Uri ForRequest(Uri uri, string? civitaiKey)
    {
        if (string.IsNullOrEmpty(civitaiKey) || !IsCivitai(uri)) return uri;
        var query = uri.Query.TrimStart('?');
        if (query.Split('&').Any(p => p.StartsWith("token=", StringComparison.Ordinal))) return uri;
        return new UriBuilder(uri) { Query = (query.Length > 0 ? query + "&" : "") + "token=" + Uri.EscapeDataString(civitaiKey) }.Uri;
    }

    /// <summary>What to do about a 401/403 from a host.</summary>
    public string AccessHint(Uri uri, bool tokenSent) =>
        IsHuggingFace(uri)
            ? tokenSent ? "HF_TOKEN has no access to this file: accept the model's licence on huggingface.co with that account" : "the file is gated: set HF_TOKEN in Settings"
        : IsCivitai(uri)
            ? tokenSent ? "CIVITAI_API_KEY has no access to this file" : "set CIVITAI_API_KEY in Settings"
        : "the server refuses this download without credentials";
}
