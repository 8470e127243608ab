using ComfyStudio.Services.Formatting;
using ComfyStudio.Services.Workflows;

namespace ComfyStudio.Web.Api.Workflows;

/// <summary>A saved prompt text: <c>{id, type, text, created_at}</c>.</summary>
public sealed record SavedPromptResource(int Id, string Type, string Text, string CreatedAt)
{
    public static SavedPromptResource From(SavedPrompt p) => new(p.Id, p.Type, p.Text, ApiTime.Iso(p.CreatedAt));
}

/// <summary><c>GET /api/admin/prompts</c>: the saved prompts, newest first.</summary>
public sealed record SavedPromptList(IReadOnlyList<SavedPromptResource> Prompts, int Total);

/// <summary><c>POST /api/admin/prompts</c>: the id (an existing one when the same text was saved before), and the prompt.</summary>
public sealed record SavedPromptCreated(int Id, SavedPromptResource Prompt);

/// <summary><c>DELETE /api/admin/prompts/{id}</c>: <c>{ok: true}</c>.</summary>
public sealed record SavedPromptDeleted(bool Ok);
