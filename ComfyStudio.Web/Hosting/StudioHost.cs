namespace ComfyStudio.Web.Hosting;

public static class StudioHost
{
    /// <summary>
    /// The content root (where <c>appsettings.json</c> and <c>wwwroot</c> are read from). A published build — an image's
    /// <c>/app</c> or a backend an update deployed — always reads its own, whatever directory it was started in; a build
    /// run from the source tree (<c>dotnet run</c>) keeps the default (the project folder).
    /// </summary>
    public static string? ContentRoot()
    {
        var own = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(own, "appsettings.json")) && Directory.Exists(Path.Combine(own, "wwwroot"))) return own;
        if (File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json"))) return null;
        return File.Exists(Path.Combine(own, "appsettings.json")) ? own : null;
    }
}
