using System.Reflection;

namespace ComfyStudio.Web.Hosting;

public static class StudioVersion
{
    /// <summary>The app's version (the assembly's informational version, without build metadata).</summary>
    public static string Current { get; } =
        (typeof(StudioVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
