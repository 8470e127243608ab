using System.Security.Cryptography;
using ComfyStudio.Services.Data;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Auth;

/// <summary>
/// Login sessions: each login gets an id carried in its cookie; logout ends that id on the server, so a
/// copied or leftover cookie stops working at once. A session is also over when its key is changed or revoked.
/// </summary>
public sealed class LoginSessions(IDbContextFactory<StudioDbContext> dbFactory, ApiKeyStore keys, TimeProvider clock)
{
    /// <summary>Ended ids are kept this long (well past any cookie's sliding lifetime without use).</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromDays(30);

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task EndAsync(string sessionId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.EndedSessions.AnyAsync(s => s.SessionId == sessionId, ct))
        {
            db.EndedSessions.Add(new EndedSessionRecord { SessionId = sessionId, EndedAt = now });
            await db.SaveChangesAsync(ct);
        }
        var forgetBefore = now - Memory;
        await db.EndedSessions.Where(s => s.EndedAt < forgetBefore).ExecuteDeleteAsync(ct);
    }

    /// <summary>Whether a session may go on: not logged out, and its key still valid.</summary>
    public async Task<bool> IsActiveAsync(string? sessionId, string? keyName, string? keyFingerprint, CancellationToken ct = default)
    {
        if (sessionId is null || keyName is null || keyFingerprint is null) return false;
        if (!await keys.IsCurrentAsync(keyName, keyFingerprint, ct)) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return !await db.EndedSessions.AnyAsync(s => s.SessionId == sessionId, ct);
    }
}
