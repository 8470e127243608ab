namespace ComfyStudio.Web.Hosting;

public static class StudioHost
{
    /// <summary>
    /// The content root (where <c>appsettings.json</c> and <c>wwwroot</c> are read from): the working directory when it
    /// holds the app's settings (<c>dotnet run</c> in the project), else the folder of the app itself, so that
    /// <c>dotnet /anywhere/ComfyStudio.Web.dll</c> finds its defaults whatever directory it was started in.
    /// </summary>
    public static string? ContentRoot() =>
        File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json")) ? null
        : File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")) ? AppContext.BaseDirectory
        : null;
}
