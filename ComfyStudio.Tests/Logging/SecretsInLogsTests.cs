using System.Net.WebSockets;
using ComfyStudio.Services.Logging;
using ComfyStudio.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Tests.Logging;

public sealed class SecretsFactory : StudioFactory
{
    public const string HfToken = "hf_SECRETtokenValue1234567890";
    public const string CivitaiKey = "civitai-SECRET-abcdef123456";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["HF_TOKEN"] = HfToken,
        ["CIVITAI_API_KEY"] = CivitaiKey,
        // Log every request line, so a key in a URL or header would reach the log if redaction failed.
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
        ["Serilog:MinimumLevel:Default"] = "Debug",
    };
}

public sealed class SecretsInLogsTests(SecretsFactory factory) : IClassFixture<SecretsFactory>
{
    [Fact]
    public async Task Keys_and_tokens_never_reach_the_log_file_or_the_log_ring()
    {
        var named = await factory.Services.GetRequiredService<ComfyStudio.Services.Auth.ApiKeyStore>().CreateAsync("logged-" + Guid.NewGuid().ToString("n")[..6]);
        var client = factory.CreateKeyClient();
        await client.GetAsync("/api/admin/events");
        await factory.CreateBearerClient(named).GetAsync("/api/admin/events?token=" + named);
        await factory.CreateAnonymousClient().GetAsync("/ws?api_key=" + StudioFactory.PrimaryKey);
        await factory.CreateKeyClient("cs_wrong-key-guess-000000").GetAsync("/api/admin/events");
        var ws = factory.Server.CreateWebSocketClient();
        using (var socket = await ws.ConnectAsync(new Uri(factory.Server.BaseAddress, "ws?api_key=" + StudioFactory.PrimaryKey.Replace("http", "ws")), CancellationToken.None))
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        // Code that carelessly logs a secret is redacted too.
        var logger = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ComfyStudio.Careless");
        logger.LogWarning("Calling hub with token {Token} and key {Key}", SecretsFactory.HfToken, StudioFactory.PrimaryKey);
        logger.LogWarning("Civitai url https://civitai.com/api/download/models/1?token={Token}", SecretsFactory.CivitaiKey);

        var ring = factory.Services.GetRequiredService<LogRing>().Tail(LogRing.DefaultCapacity);
        Assert.True(ring.Any(e => e.Message.Contains("Calling hub with token ***")), string.Join("\n", ring.Where(e => e.Message.Contains("Calling")).Select(e => e.Message)) + " / count " + ring.Count);
        var ringText = string.Join("\n", ring.Select(e => e.Message));
        AssertNoSecret(ringText, named);

        // The file sink flushes every second.
        var logFolder = Path.Combine(factory.DataDir, "logs");
        await TestWait.UntilAsync(() => Directory.Exists(logFolder) && Directory.GetFiles(logFolder, "*.log").Select(ReadShared)
            .Any(t => t.Contains("Calling hub with token ***") && t.Contains("/api/admin/events")), 10, "the log file to have the lines");
        var logs = Directory.GetFiles(logFolder, "*.log");
        Assert.NotEmpty(logs);
        var fileText = string.Join("\n", logs.Select(ReadShared));
        Assert.Contains("Calling hub with token ***", fileText);
        Assert.Contains("/api/admin/events", fileText);
        AssertNoSecret(fileText, named);
    }

    private static void AssertNoSecret(string text, string named)
    {
        Assert.DoesNotContain(StudioFactory.PrimaryKey, text);
        Assert.DoesNotContain(SecretsFactory.HfToken, text);
        Assert.DoesNotContain(SecretsFactory.CivitaiKey, text);
        Assert.DoesNotContain(named, text);
        Assert.DoesNotContain("cs_wrong-key-guess", text);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
