namespace ComfyStudio.Tests.Infrastructure;

/// <summary>Where tests find the repository, the built app, and a throwaway folder of their own.</summary>
public static class TestPaths
{
    /// <summary>The repository root, four folders above the tests' build output.</summary>
    public static string RepoRoot() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(TestPaths).Assembly.Location)!, "..", "..", "..", ".."));

    /// <summary>The Web project's own build (with its runtimeconfig), in the configuration these tests were built in.</summary>
    public static string WebDll()
    {
        var testBin = Path.GetDirectoryName(typeof(TestPaths).Assembly.Location)!; // …/ComfyStudio.Tests/bin/<Config>/net10.0
        var tfm = Path.GetFileName(testBin);
        var config = Path.GetFileName(Path.GetDirectoryName(testBin))!;
        var dll = Path.Combine(RepoRoot(), "ComfyStudio.Web", "bin", config, tfm, "ComfyStudio.Web.dll");
        Assert.True(File.Exists(dll), $"the app is built at {dll}");
        return dll;
    }

    public static string NewTempDir(string purpose)
    {
        var dir = Path.Combine(Path.GetTempPath(), "comfystudio-tests", $"{purpose}-{Guid.NewGuid():n}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
