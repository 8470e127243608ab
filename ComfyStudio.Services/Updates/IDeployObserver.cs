using System.Text.Json;
using System.Text.Json.Serialization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>Told before each component is swapped in (tests use it to fail a deploy half-way).</summary>
public interface IDeployObserver
{
    void BeforeSwap(string component);
}
