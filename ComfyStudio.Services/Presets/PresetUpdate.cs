using System.Text.Json.Nodes;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Downloads;
using ComfyStudio.Services.Errors;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Formatting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Presets;

/// <summary>A preset whose registry version is newer than the one installed.</summary>
public sealed record PresetUpdate(PresetDefinition Preset, string LocalVersion, bool Installed);
