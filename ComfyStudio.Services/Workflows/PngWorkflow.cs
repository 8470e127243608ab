using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComfyStudio.Services.Workflows;

/// <summary>
/// The workflow inside an image ComfyUI saved: its <c>SaveImage</c> writes PNG text chunks named <c>workflow</c> (the UI
/// format) and <c>prompt</c> (the API format). The UI format is preferred, as it keeps the layout.
/// </summary>
public static class PngWorkflow
{
    private const int MaxText = 16 << 20;
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.Length >= 8 && bytes[..8].SequenceEqual(Signature);

    /// <summary>The workflow of a PNG, or null when it is no PNG or carries none.</summary>
    public static JsonObject? Read(ReadOnlySpan<byte> png)
    {
        if (!IsPng(png)) return null;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 8;
        while (at + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[at..]);
            if (length > int.MaxValue || at + 12 + (long)length > png.Length) break;
            var type = Encoding.ASCII.GetString(png.Slice(at + 4, 4));
            var data = png.Slice(at + 8, (int)length);
            if (Text(type, data) is { } text) texts.TryAdd(text.Key, text.Value);
            if (type == "IEND") break;
            at += 12 + (int)length;
        }
        foreach (var key in new[] { "workflow", "prompt" })
            if (texts.TryGetValue(key, out var json))
            {
                try
                {
                    if (JsonNode.Parse(json) is JsonObject o && o.Count > 0) return o;
                }
                catch (JsonException) { }
            }
        return null;
    }

    /// <summary>A <c>tEXt</c>, <c>zTXt</c> or <c>iTXt</c> chunk's keyword and text.</summary>
    private static KeyValuePair<string, string>? Text(string type, ReadOnlySpan<byte> data)
    {
        var nul = data.IndexOf((byte)0);
        if (nul <= 0 || type is not ("tEXt" or "zTXt" or "iTXt")) return null;
        var key = Encoding.Latin1.GetString(data[..nul]);
        var rest = data[(nul + 1)..];
        try
        {
            switch (type)
            {
                case "tEXt":
                    return new(key, Encoding.Latin1.GetString(rest));
                case "zTXt":
                    return rest.Length < 1 ? null : new(key, Encoding.Latin1.GetString(Inflate(rest[1..])));
                default: // iTXt: compressed flag, method, language\0, translated keyword\0, text (UTF-8)
                    if (rest.Length < 2) return null;
                    var compressed = rest[0] == 1;
                    var tail = rest[2..];
                    var language = tail.IndexOf((byte)0);
                    if (language < 0) return null;
                    tail = tail[(language + 1)..];
                    var translated = tail.IndexOf((byte)0);
                    if (translated < 0) return null;
                    tail = tail[(translated + 1)..];
                    return new(key, Encoding.UTF8.GetString(compressed ? Inflate(tail) : tail));
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static byte[] Inflate(ReadOnlySpan<byte> data)
    {
        using var input = new MemoryStream(data.ToArray());
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        for (int read; (read = zlib.Read(buffer)) > 0;)
        {
            output.Write(buffer, 0, read);
            if (output.Length > MaxText) throw new InvalidDataException("a text chunk inflates past 16 MB"); // a zip bomb, not a workflow
        }
        return output.ToArray();
    }
}
