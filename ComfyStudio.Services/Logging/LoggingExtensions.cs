using ComfyStudio.Services.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Formatting.Display;

namespace ComfyStudio.Services.Logging;

public static class LoggingExtensions
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Serilog to the console and to a daily rolling file in <c>STUDIO_DIR/logs</c>, plus the in-memory
    /// <see cref="LogRing"/>. Every sink goes through <see cref="SecretRedactor"/>. Levels come from the
    /// <c>Serilog</c> configuration section.
    /// </summary>
    public static IHostApplicationBuilder AddStudioLogging(this IHostApplicationBuilder builder, StudioOptions options)
    {
        builder.Services.AddSingleton<SecretRedactor>();
        builder.Services.AddSingleton(sp => new LogRing(sp.GetRequiredService<SecretRedactor>()));
        builder.Services.AddSingleton<StudioLogs>();
        builder.Services.AddSerilog((sp, lc) =>
        {
            var redactor = sp.GetRequiredService<SecretRedactor>();
            lc.ReadFrom.Configuration(builder.Configuration)
              .Enrich.FromLogContext()
              .WriteTo.Console(new RedactingFormatter(new MessageTemplateTextFormatter(ConsoleTemplate), redactor))
              .WriteTo.File(new RedactingFormatter(new MessageTemplateTextFormatter(FileTemplate), redactor),
                  Path.Combine(options.LogsDir, "studio-.log"),
                  rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                  fileSizeLimitBytes: 50L * 1024 * 1024, rollOnFileSizeLimit: true, shared: true,
                  flushToDiskInterval: TimeSpan.FromSeconds(1))
              .WriteTo.Sink(sp.GetRequiredService<LogRing>());
        }, preserveStaticLogger: true); // each host keeps its own logger (several run side by side in tests)
        return builder;
    }
}
