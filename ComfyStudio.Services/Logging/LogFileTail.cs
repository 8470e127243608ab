using System.Text;

namespace ComfyStudio.Services.Logging;

/// <summary>The end of a text log file (ComfyUI's), read backwards from its end so a huge file costs little.</summary>
public static class LogFileTail
{
    /// <summary>The last <paramref name="lines"/> lines, oldest first; empty when the file is absent.</summary>
    public static IReadOnlyList<string> Read(string path, int lines, out long length)
    {
        length = 0;
        if (lines <= 0 || !File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        length = stream.Length;
        const int Block = 64 * 1024;
        var position = stream.Length;
        var newlines = 0;
        var buffer = new byte[Block];
        // Walk back in blocks until the start of the wanted lines is inside what was read (at most 16 MB).
        while (position > 0 && newlines <= lines && stream.Length - position < 16L * 1024 * 1024)
        {
            var size = (int)Math.Min(Block, position);
            position -= size;
            stream.Position = position;
            stream.ReadExactly(buffer, 0, size);
            for (var i = 0; i < size; i++) if (buffer[i] == (byte)'\n') newlines++;
        }
        stream.Position = position;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var all = reader.ReadToEnd().Split('\n');
        var text = all.Select(l => l.TrimEnd('\r')).ToList();
        if (text.Count > 0 && text[^1].Length == 0) text.RemoveAt(text.Count - 1);
        if (position > 0 && text.Count > 0) text.RemoveAt(0); // the first line read may have been cut
        return text.Count > lines ? text[^lines..] : text;
    }

    /// <summary>Lines appended after <paramref name="from"/>; <paramref name="from"/> moves past them (a truncated file starts over).</summary>
    public static IReadOnlyList<string> ReadNew(string path, ref long from)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < from) from = 0;
        if (stream.Length == from) return [];
        stream.Position = from;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var last = text.LastIndexOf('\n');
        if (last < 0) return []; // wait for the line to end
        from += Encoding.UTF8.GetByteCount(text.AsSpan(0, last + 1));
        return text[..last].Split('\n').Select(l => l.TrimEnd('\r')).ToList();
    }
}
