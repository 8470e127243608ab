using ComfyStudio.Services.Data;
using ComfyStudio.Services.Errors;
using Microsoft.EntityFrameworkCore;

namespace ComfyStudio.Services.Workflows;

/// <summary>A prompt text kept to pick again: positive or negative, newest first.</summary>
public sealed record SavedPrompt(int Id, string Type, string Text, DateTime CreatedAt);

/// <summary>
/// The saved prompts (the <c>saved_prompts</c> table): positive and negative texts the editor offers beside a prompt
/// field. Saving a text already saved under the same type gives the one there back instead of a twin.
/// </summary>
public sealed class SavedPrompts(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock)
{
    public const string Positive = "positive", Negative = "negative";
    public const int MaxLength = 20_000;

    public async Task<IReadOnlyList<SavedPrompt>> ListAsync(string? type = null, CancellationToken ct = default)
    {
        if (type is not null) CheckType(type);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SavedPrompts.AsNoTracking().Where(p => type == null || p.Type == type)
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).ToListAsync(ct);
        return [.. rows.Select(From)];
    }

    public async Task<SavedPrompt> SaveAsync(string type, string? text, CancellationToken ct = default)
    {
        CheckType(type);
        if (string.IsNullOrWhiteSpace(text)) throw StudioException.Validation("'text' is required");
        text = text.Trim();
        if (text.Length > MaxLength) throw StudioException.Validation($"'text' is at most {MaxLength} characters");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.SavedPrompts.AsNoTracking().FirstOrDefaultAsync(p => p.Type == type && p.Text == text, ct) is { } existing) return From(existing);
        var row = new SavedPromptRecord { Type = type, Text = text, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.SavedPrompts.Add(row);
        await db.SaveChangesAsync(ct);
        return From(row);
    }

    /// <summary>Deletes one; false when there is no such prompt.</summary>
    public async Task<bool> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SavedPrompts.Where(p => p.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    private static void CheckType(string type)
    {
        if (type is not (Positive or Negative)) throw StudioException.Validation("'type' must be positive or negative");
    }

    private static SavedPrompt From(SavedPromptRecord r) => new(r.Id, r.Type, r.Text, DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc));
}
