namespace ComfyStudio.Services.Status;

/// <summary>Live counts behind the components of the System API's status.</summary>
/// <param name="Models">Model files of the preset catalog (each path once); <paramref name="ModelsPresent"/> of them are installed and verified.</param>
public sealed record CatalogCounts(int Models, int ModelsPresent, int Loras, int LlmModels, int Workflows);
