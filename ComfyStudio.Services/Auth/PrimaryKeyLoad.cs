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

/// <summary>How the primary key was loaded: the key generated just now (to be shown once), and why a configured key was not used.</summary>
public sealed record PrimaryKeyLoad(string? Generated, string? Unusable);
