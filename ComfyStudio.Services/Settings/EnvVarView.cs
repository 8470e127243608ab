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

/// <summary>A variable as the Settings page and <c>GET /api/admin/settings/env</c> show it: secrets masked.</summary>
public sealed record EnvVarView(string Key, string Value, bool Sensitive, bool Set, string Default, string Description, bool Editable);
