using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ComfyStudio.Services.Presets;

/// <summary>The whole registry: the index and every preset's definition.</summary>
public sealed record PresetCatalog(string Version, string? GeneratedAt, IReadOnlyList<RegistryEntry> Entries, IReadOnlyDictionary<string, PresetDefinition> Presets);
