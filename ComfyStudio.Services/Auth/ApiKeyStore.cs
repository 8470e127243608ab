using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Auth;

/// <summary>
/// The product's credentials. The primary key is, in order: the value saved from Settings, <c>API_KEY</c>
/// from the environment, or a strong random key generated at first start and stored. Named keys are
/// stored as SHA-256 hashes only, shown once at creation, and revocable. Comparisons are constant-time.
/// </summary>
public sealed partial class ApiKeyStore(
    IDbContextFactory<StudioDbContext> dbFactory,
    IOptions<StudioOptions> options,
    SecretRedactor redactor,
    EventBus bus,
    TimeProvider clock,
    ILogger<ApiKeyStore> logger)
{
    /// <summary>Settings key of a primary key saved from the Settings page.</summary>
    public const string SavedPrimaryKeySetting = "API_KEY";
    /// <summary>Settings key of the primary key generated at first start.</summary>
    public const string GeneratedPrimaryKeySetting = "API_KEY_GENERATED";
    public const string PrimaryName = "primary";
    private const string KeyPrefix = "cs_";

    private volatile byte[]? _primaryHash;
    private string? _primary;
    private readonly Dictionary<int, DateTime> _lastTouched = [];

    /// <summary>How the primary key was loaded at this start (null before).</summary>
    public PrimaryKeyLoad? LastLoad { get; private set; }

    /// <summary>Where the primary key came from: <c>settings</c>, <c>environment</c> or <c>generated</c>.</summary>
    public string PrimarySource { get; private set; } = "unset";

    /// <summary>The primary key (for reveal and for the first-start message), once loaded.</summary>
    public string PrimaryKey => _primary ?? throw new InvalidOperationException("API keys are not loaded yet");

    /// <summary>
    /// Loads the primary key, generating and storing one when none is configured. A key that breaks
    /// <see cref="ApiKeyRule"/> never becomes the primary key (no key could ever match it, and the owner would be
    /// locked out for good): a saved one is removed, and <c>API_KEY</c> from the environment or a newly generated key
    /// takes over, loudly (a key generated then is new, so the owner learns it from the console).
    /// </summary>
    public async Task<PrimaryKeyLoad> LoadAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var saved = await db.Settings.Where(s => s.Key == SavedPrimaryKeySetting || s.Key == GeneratedPrimaryKeySetting)
            .ToDictionaryAsync(s => s.Key, ct);
        string? unusable = null;
        var fromSettings = saved.GetValueOrDefault(SavedPrimaryKeySetting)?.Value;
        if (fromSettings is { Length: > 0 } && ApiKeyRule.Problem(fromSettings) is { } savedProblem)
        {
            unusable = $"the API key saved from Settings {savedProblem}";
            db.Settings.Remove(saved[SavedPrimaryKeySetting]);
            await db.SaveChangesAsync(ct);
            fromSettings = null;
        }
        var fromEnv = options.Value.ApiKey;
        if (fromEnv is { Length: > 0 } && ApiKeyRule.Problem(fromEnv) is { } envProblem)
        {
            unusable = (unusable is null ? "" : unusable + ", and ") + $"API_KEY in the environment {envProblem}";
            fromEnv = null;
        }
        string? generatedNow = null;
        if (fromSettings is { Length: > 0 })
            SetPrimary(fromSettings, "settings");
        else if (fromEnv is { Length: > 0 })
            SetPrimary(fromEnv, "environment");
        else if (unusable is null && saved.GetValueOrDefault(GeneratedPrimaryKeySetting)?.Value is { Length: > 0 } generated && ApiKeyRule.IsValid(generated))
            SetPrimary(generated, "generated");
        else
            generatedNow = await StoreGeneratedAsync(db, ct);
        if (unusable is not null)
            logger.LogError("{Unusable} (an API key is {Rule}): it is not used; {Next} is the API key now", unusable, ApiKeyRule.Description,
                PrimarySource == "environment" ? "API_KEY from the environment" : "a newly generated key (printed on the console)");
        if (PrimarySource != "generated" && _primary!.Length < 12)
            logger.LogWarning("The API key is shorter than 12 characters; anyone who can reach this port can guess it");
        return LastLoad = new PrimaryKeyLoad(generatedNow, unusable);
    }

    /// <summary>A new generated primary key, stored (in place of an earlier generated one) and in effect.</summary>
    private async Task<string> StoreGeneratedAsync(StudioDbContext db, CancellationToken ct)
    {
        var key = NewKey();
        var row = await db.Settings.FindAsync([GeneratedPrimaryKeySetting], ct);
        if (row is null) db.Settings.Add(row = new SettingRecord { Key = GeneratedPrimaryKeySetting });
        row.Value = key;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        SetPrimary(key, "generated");
        return key;
    }

    /// <summary>
    /// Replaces the primary key (from Settings or the <c>set-key</c> command): the new key works at once, the old one
    /// stops. A key that breaks <see cref="ApiKeyRule"/> is refused with 400 and changes nothing.
    /// </summary>
    public async Task SetPrimaryKeyAsync(string key, CancellationToken ct = default)
    {
        if (ApiKeyRule.Problem(key) is { } problem)
            throw StudioException.Validation($"API_KEY {problem} ({ApiKeyRule.Description})",
                new Dictionary<string, object?> { ["key"] = "API_KEY", ["min_length"] = ApiKeyRule.MinLength, ["max_length"] = ApiKeyRule.MaxLength });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.FindAsync([SavedPrimaryKeySetting], ct);
        if (row is null) db.Settings.Add(row = new SettingRecord { Key = SavedPrimaryKeySetting });
        row.Value = key;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        SetPrimary(key, "settings");
    }

    private void SetPrimary(string key, string source)
    {
        _primary = key;
        _primaryHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        PrimarySource = source;
        redactor.Add(key);
    }

    /// <summary>Checks a presented key; null when it is not valid.</summary>
    public async Task<ApiKeyIdentity?> ValidateAsync(string? presented, CancellationToken ct = default)
    {
        if (!ApiKeyRule.IsValid(presented)) return null;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (_primaryHash is { } primary && CryptographicOperations.FixedTimeEquals(hash, primary))
            return new ApiKeyIdentity(PrimaryName, Fingerprint(hash), true);
        if (!presented.StartsWith(KeyPrefix, StringComparison.Ordinal)) return null;

        var hex = Convert.ToHexStringLower(hash);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hex && k.RevokedAt == null, ct);
        // The lookup is by hash, and the hash of the presented key is compared again in constant time.
        if (row is null || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(row.Hash), hash)) return null;
        await TouchAsync(db, row.Id, ct);
        return new ApiKeyIdentity(row.Name, Fingerprint(hash), false);
    }

    /// <summary>Whether a login session made with this key may go on (the key was not changed or revoked since).</summary>
    public async Task<bool> IsCurrentAsync(string name, string fingerprint, CancellationToken ct = default)
    {
        if (name == PrimaryName)
            return _primaryHash is { } h && CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(Fingerprint(h)), Encoding.ASCII.GetBytes(fingerprint));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hashes = await db.ApiKeys.AsNoTracking().Where(k => k.Name == name && k.RevokedAt == null).Select(k => k.Hash).ToListAsync(ct);
        return hashes.Any(h => h.StartsWith(fingerprint, StringComparison.Ordinal));
    }

    /// <summary>Creates a named key and returns it: the only time it is ever shown.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken ct = default)
    {
        ValidateName(name);
        var key = NewKey();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.ApiKeys.AnyAsync(k => k.Name == name && k.RevokedAt == null, ct))
            throw StudioException.Conflict($"An API key named '{name}' already exists");
        db.ApiKeys.Add(new ApiKeyRecord
        {
            Name = name, Hash = hash, Prefix = key[..(KeyPrefix.Length + 6)], CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
        {
            // Another request created the same name between the check and the insert.
            throw StudioException.Conflict($"An API key named '{name}' already exists");
        }
        redactor.Add(key);
        bus.Publish(new ApiKeyCreated(name));
        return key;
    }

    public async Task RevokeAsync(string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Name == name && k.RevokedAt == null, ct)
                  ?? throw StudioException.NotFound($"No active API key named '{name}'");
        row.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        bus.Publish(new ApiKeyRevoked(name));
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null).OrderBy(k => k.Name).ToListAsync(ct);
        return rows.Select(k => new ApiKeyInfo(k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt)).ToList();
    }

    public static void ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || !KeyName().IsMatch(name))
            throw StudioException.Validation(NameRule,
                new Dictionary<string, object?> { ["name"] = name is { Length: > 80 } ? name[..80] + "…" : name });
        if (name == PrimaryName)
            throw StudioException.Validation($"'{PrimaryName}' is the name of the main API key");
    }

    private async Task TouchAsync(StudioDbContext db, int id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        lock (_lastTouched)
        {
            if (_lastTouched.TryGetValue(id, out var last) && now - last < TimeSpan.FromMinutes(1)) return;
            _lastTouched[id] = now;
        }
        try
        {
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // "Last used" is a convenience: a full data folder must not make a valid key fail.
            logger.LogWarning("Could not record when API key {Id} was last used: {Reason}", id, e.Message);
        }
    }

    private static string NewKey() => KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A strong key of the kind generated at first start (for the <c>set-key --generate</c> command).</summary>
    public static string NewPrimaryKey() => NewKey();

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Fingerprint(byte[] hash) => Convert.ToHexStringLower(hash)[..16];

    /// <summary>What a named key's name may be (it is a segment of <c>/api/admin/keys/{name}</c>).</summary>
    public const string NameRule = "name must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex KeyName();
}
