using System.Security.Claims;
using System.Text.Encodings.Web;
using ComfyStudio.Services.Auth;
using ComfyStudio.Services.Errors;
using ComfyStudio.Web.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>The client is locked out after too many wrong keys.</summary>
public sealed class ThrottledException(TimeSpan wait) : Exception("Too many wrong API keys")
{
    public TimeSpan Wait { get; } = wait;
}
