using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ComfyStudio.Services.Models;

/// <summary>
/// Reads what a model file is from its header: a safetensors file is checked as the reference reader checks it (the
/// header's length, its JSON, and tensors whose offsets cover the byte buffer exactly, which catches a truncated or
/// partial file at once); a GGUF file by its magic and version; <c>.ckpt</c>/<c>.pt</c>/<c>.bin</c> files are pickles,
/// flagged because loading one can run code. At most the header is read, never the weights.
/// </summary>
public static class ModelFileInspector
{
    /// <summary>The reference reader's limit on a safetensors header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> DtypeBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1, ["F8_E8M0"] = 1, ["F8_E4M3FNUZ"] = 1, ["F8_E5M2FNUZ"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2, ["I32"] = 4, ["U32"] = 4, ["F32"] = 4, ["F64"] = 8, ["I64"] = 8, ["U64"] = 8, ["C64"] = 8,
    };

    private static readonly string[] PickleExtensions = [".ckpt", ".pt", ".pt2", ".pth", ".bin", ".pkl"];

    public static ModelInspection Inspect(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.RandomAccess);
        Span<byte> head = stackalloc byte[8];
        var read = stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (read >= 4 && head[..4].SequenceEqual("GGUF"u8))
            return new ModelInspection(ModelFormats.Gguf, read >= 8 ? $"gguf v{BinaryPrimitives.ReadUInt32LittleEndian(head[4..])}" : null, null,
                read >= 8 ? null : "the file ends inside its GGUF header");
        if (extension is ".safetensors" or ".sft")
            return Safetensors(stream, read < 8 ? null : BinaryPrimitives.ReadUInt64LittleEndian(head));
        if (PickleExtensions.Contains(extension))
            return new ModelInspection(ModelFormats.Pickle, null, null, read == 0 ? "the file is empty" : null, MayRunCode: true);
        return new ModelInspection(ModelFormats.Unknown, null, null, null);
    }

    private static ModelInspection Safetensors(FileStream stream, ulong? headerLength)
    {
        var size = stream.Length;
        if (headerLength is null) return Bad("the file is shorter than a safetensors header (8 bytes)");
        if (headerLength > MaxHeaderBytes) return Bad($"its header claims {headerLength:N0} bytes, more than any safetensors file has: not a safetensors file");
        var n = (long)headerLength.Value;
        if (8 + n > size) return Bad($"its header claims {n:N0} bytes but the file has {size:N0}: truncated");
        var header = new byte[n];
        stream.Position = 8;
        stream.ReadExactly(header);
        JsonDocument doc;
        try
        {
            if (n == 0 || header[0] != (byte)'{') return Bad("its header is not a JSON object");
            doc = JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' '), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            return Bad("its header is not valid JSON");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return Bad("its header is not a JSON object");
            string? architecture = null, baseModel = null;
            var tensors = new List<(string Name, long Begin, long End)>();
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) return Bad("its __metadata__ is not an object");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) return Bad($"__metadata__ '{m.Name}' is not text");
                        if (m.Name is "modelspec.architecture") architecture = m.Value.GetString();
                        if (m.Name is "ss_base_model_version" or "modelspec.base_model" or "base_model") baseModel ??= m.Value.GetString();
                    }
                    continue;
                }
                if (entry.Value.ValueKind != JsonValueKind.Object
                    || !entry.Value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
                    || !entry.Value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
                    || !entry.Value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
                    || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
                    return Bad($"tensor '{Short(entry.Name)}' is not described as safetensors describes one");
                if (!DtypeBytes.TryGetValue(dtype.GetString()!, out var width)) return Bad($"tensor '{Short(entry.Name)}' has an unknown dtype {dtype.GetString()}");
                long elements = 1;
                try
                {
                    foreach (var dim in shape.EnumerateArray())
                        elements = checked(elements * (dim.TryGetInt64(out var d) && d >= 0 ? d : throw new OverflowException()));
                    if (end < begin || end - begin != checked(elements * width))
                        return Bad($"tensor '{Short(entry.Name)}' claims {end - begin:N0} bytes for a shape of {elements:N0} {dtype.GetString()} values");
                }
                catch (OverflowException)
                {
                    return Bad($"tensor '{Short(entry.Name)}' has a shape no file can hold");
                }
                tensors.Add((entry.Name, begin, end));
            }
            long next = 0;
            foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
            {
                if (t.Begin != next) return Bad($"tensor '{Short(t.Name)}' starts at byte {t.Begin:N0} of the data, where {next:N0} was expected: the header lies about its offsets");
                next = t.End;
            }
            var expected = 8 + n + next;
            if (expected != size)
                return Bad(expected > size
                    ? $"the tensors need {expected:N0} bytes but the file has {size:N0}: truncated or still downloading"
                    : $"the file has {size - expected:N0} bytes beyond its last tensor");
            return new ModelInspection(ModelFormats.Safetensors, architecture, baseModel, null);
        }
    }

    private static ModelInspection Bad(string problem) => new(ModelFormats.Safetensors, null, null, problem);

    private static string Short(string name) => name.Length > 60 ? name[..60] + "…" : name;
}
