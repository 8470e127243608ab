using Serilog.Events;
using Serilog.Formatting;

namespace ComfyStudio.Services.Logging;

/// <summary>Formats with the inner formatter, then removes secrets before the text reaches a sink.</summary>
public sealed class RedactingFormatter(ITextFormatter inner, SecretRedactor redactor) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new StringWriter();
        inner.Format(logEvent, buffer);
        output.Write(redactor.Redact(buffer.ToString()));
    }
}
