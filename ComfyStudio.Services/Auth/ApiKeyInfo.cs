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

/// <summary>A named key as listed (never the key itself).</summary>
public sealed record ApiKeyInfo(string Name, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt);
