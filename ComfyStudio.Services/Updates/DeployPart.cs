using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>A component to deploy, and its path in the release.</summary>
public sealed record DeployPart(ReleaseComponent Component, string Source);
