using System.Collections.Concurrent;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Settings;

/// <summary>
/// The settings that change at runtime: the download concurrency and the editable variables (tokens, the
/// API key). Saved values live in the <c>settings</c> table, win over the environment from the next start
/// on, and apply at once: readers ask <see cref="Value"/> each time rather than caching a copy.
/// </summary>
public sealed class StudioSettings(
    IDbContextFactory<StudioDbContext> dbFactory,
    IOptions<StudioOptions> options,
    IConfiguration configuration,
    ApiKeyStore keys,
    LoginThrottle throttle,
    SecretRedactor redactor,
    EventBus bus,
    TimeProvider clock,
    ILogger<StudioSettings> logger) : IHostedService
{
    public const string MaxConcurrentSetting = "max_concurrent";
    public const int MinConcurrent = 1, MaxConcurrentLimit = 10;
    private const int MaxValueLength = 4096;

    private readonly ConcurrentDictionary<string, string> _saved = new(StringComparer.Ordinal);
    private int _maxConcurrent = Math.Clamp(options.Value.MaxConcurrentDownloads, MinConcurrent, MaxConcurrentLimit);

    /// <summary>Files the download engine may fetch at once (1-10).</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keysToLoad = EnvCatalog.Editable.Append(MaxConcurrentSetting).Where(k => k != ApiKeyStore.SavedPrimaryKeySetting).ToList();
        var rows = await db.Settings.AsNoTracking().Where(s => keysToLoad.Contains(s.Key)).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            if (row.Key == MaxConcurrentSetting)
            {
                if (int.TryParse(row.Value, out var n)) _maxConcurrent = Math.Clamp(n, MinConcurrent, MaxConcurrentLimit);
                continue;
            }
            _saved[row.Key] = row.Value ?? "";
            redactor.Add(row.Value);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The current value of a variable: saved from Settings, else the environment (resolved defaults included).</summary>
    public string? Value(string key)
    {
        if (key == "API_KEY") return keys.PrimaryKey;
        if (_saved.TryGetValue(key, out var saved)) return saved;
        var o = options.Value;
        return key switch
        {
            "STUDIO_DIR" => o.StudioDir,
            "COMFYUI_DIR" => o.ComfyUiDir,
            "COMFYUI_URL" => o.ComfyUiUrl,
            "HOSTING" => o.Hosting,
            "STUDIO_PORT" => o.StudioPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "COMFYUI_PORT" => o.ComfyUiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "RUNTIME_VERSION" => o.RuntimeVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "REPO_BRANCH" => o.RepoBranch,
            "DEV_MODE" => o.DevMode ? "true" : "false",
            _ => configuration[key],
        };
    }

    public string? HfToken => NonEmpty(Value("HF_TOKEN"));
    public string? CivitaiApiKey => NonEmpty(Value("CIVITAI_API_KEY"));
    public string? TelegramBotToken => NonEmpty(Value("TELEGRAM_BOT_TOKEN"));
    public string? TelegramBotName => NonEmpty(Value("TELEGRAM_BOT_NAME"));

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Sets the download concurrency, clamped to 1-10; persisted and applied at once.</summary>
    public async Task<int> SetMaxConcurrentAsync(int value, CancellationToken ct = default)
    {
        var clamped = Math.Clamp(value, MinConcurrent, MaxConcurrentLimit);
        await SaveAsync(MaxConcurrentSetting, clamped.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        var before = Interlocked.Exchange(ref _maxConcurrent, clamped);
        if (before != clamped) bus.Publish(new MaxConcurrentChanged(clamped));
        return clamped;
    }

    /// <summary>The variable groups this install shows, secrets masked.</summary>
    public IReadOnlyList<EnvGroupView> EnvGroups()
    {
        var o = options.Value;
        return EnvCatalog.Groups
            .Where(g => g.Shown switch
            {
                EnvGroupCondition.RunPodOnly => o.IsRunPod,
                EnvGroupCondition.DevModeOnly => o.DevMode,
                _ => true,
            })
            .Select(g => new EnvGroupView(g.Id, g.Label, g.Vars.Select(v =>
            {
                var value = Value(v.Key) ?? "";
                return new EnvVarView(v.Key, v.Sensitive ? SecretMask.Mask(value) : value, v.Sensitive, value.Length > 0,
                    v.Default, v.Description, EnvCatalog.Editable.Contains(v.Key));
            }).ToList()))
            .ToList();
    }

    /// <summary>
    /// Changes an editable variable: saved, and in effect at once (a new <c>API_KEY</c> works immediately and
    /// the old one stops). Any other key is refused.
    /// </summary>
    public async Task SetEnvAsync(string? key, string? value, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(key))
            throw StudioException.Validation("key is required");
        if (!EnvCatalog.Editable.Contains(key))
            throw StudioException.Validation($"{Shorten(key)} cannot be changed at runtime",
                new Dictionary<string, object?> { ["key"] = Shorten(key), ["editable"] = EnvCatalog.Editable.Order().ToArray() });
        value ??= "";
        if (value.Length > MaxValueLength)
            throw StudioException.Validation($"value of {key} is longer than {MaxValueLength} characters");
        if (value.Any(char.IsControl))
            throw StudioException.Validation($"value of {key} must be one line of text");

        if (key == "API_KEY")
            await keys.SetPrimaryKeyAsync(value, ct);
        else
        {
            await SaveAsync(key, value, ct);
            _saved[key] = value;
            if (EnvCatalog.Find(key)?.Sensitive == true) redactor.Add(value);
        }
        logger.LogInformation("Setting {Key} changed from Settings", key);
        bus.Publish(new SettingChanged(key));
    }

    /// <summary>What a reveal gives: the secrets, or none (a wrong key), or none until <see cref="RetryAfter"/> (too many wrong keys).</summary>
    public sealed record RevealOutcome(IReadOnlyDictionary<string, string>? Secrets, TimeSpan? RetryAfter = null);

    /// <summary>
    /// Every secret in full, when <paramref name="presentedKey"/> is the main API key (a second factor: a
    /// stolen session alone does not reveal it). Wrong keys count against <paramref name="client"/> as wrong
    /// logins do, wherever the reveal is asked for (the API, the Settings page). Recorded as an event, without the values.
    /// </summary>
    public async Task<RevealOutcome> RevealAsync(string? presentedKey, string requestedBy, string client, CancellationToken ct = default)
    {
        if (throttle.RetryAfter(client) is { } wait) return new RevealOutcome(null, wait);
        var identity = await keys.ValidateAsync(presentedKey, ct);
        if (identity is not { IsPrimary: true })
        {
            throttle.RecordFailure(client);
            bus.Publish(new SecretsRevealRefused(requestedBy));
            return new RevealOutcome(null);
        }
        var secrets = EnvCatalog.Groups.SelectMany(g => g.Vars).Where(v => v.Sensitive)
            .ToDictionary(v => v.Key, v => Value(v.Key) ?? "", StringComparer.Ordinal);
        bus.Publish(new SecretsRevealed(requestedBy, secrets.Keys.ToList()));
        return new RevealOutcome(secrets);
    }

    private async Task SaveAsync(string key, string value, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.FindAsync([key], ct);
        if (row is null) db.Settings.Add(row = new SettingRecord { Key = key });
        row.Value = value;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    private static string Shorten(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
