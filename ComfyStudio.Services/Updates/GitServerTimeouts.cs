using System.Reflection;
using System.Runtime.InteropServices;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// libgit2's socket time limits (<c>GIT_OPT_SET_SERVER_CONNECT_TIMEOUT</c> and <c>GIT_OPT_SET_SERVER_TIMEOUT</c>,
/// libgit2 1.7 and later), which LibGit2Sharp 0.32 does not expose. Without them a server that takes the connection
/// and never answers holds a fetch (and the staging clone's lock) until the connection drops, which can be hours.
/// The options are process-wide; they are set from the bundled libgit2's own <c>git_libgit2_opts</c>.
/// </summary>
internal static class GitServerTimeouts
{
    // git_libgit2_opt_t in libgit2's common.h.
    private const int SetServerConnectTimeout = 39;
    private const int SetServerTimeout = 41;

    // git_libgit2_opts is variadic; on linux-x64 and linux-arm64 two int arguments pass exactly as in a fixed signature.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetIntOption(int option, int value);

    private static readonly Lazy<SetIntOption?> Opts = new(Load);
    private static int _applied;

    /// <summary>Makes libgit2 give up on a connect or a read that waits longer than <paramref name="limit"/>; false (and a warning) when the option cannot be set.</summary>
    public static bool TryApply(TimeSpan limit, ILogger logger)
    {
        var ms = (int)Math.Clamp(limit.TotalMilliseconds, 1000, int.MaxValue);
        if (Volatile.Read(ref _applied) == ms) return true;
        var opts = Opts.Value;
        if (opts is null || opts(SetServerConnectTimeout, ms) != 0 || opts(SetServerTimeout, ms) != 0)
        {
            logger.LogWarning("libgit2's server time limits cannot be set; a git server that never answers holds a fetch until its connection drops");
            return false;
        }
        Volatile.Write(ref _applied, ms);
        return true;
    }

    private static SetIntOption? Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        var assembly = typeof(Repository).Assembly;
        // LibGit2Sharp names its native library after the libgit2 commit it was built from ("git2-5853918").
        var name = assembly.GetType("LibGit2Sharp.Core.NativeDllName")?.GetField("Name", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as string;
        if (name is null) return null;
        _ = GlobalSettings.Version; // LibGit2Sharp loads (and initialises) the library first
        if (!NativeLibrary.TryLoad(name, assembly, null, out var handle)
            && !(GlobalSettings.NativeLibraryPath is { Length: > 0 } dir && NativeLibrary.TryLoad(Path.Combine(dir, $"lib{name}.so"), out handle)))
            return null;
        return NativeLibrary.TryGetExport(handle, "git_libgit2_opts", out var export)
            ? Marshal.GetDelegateForFunctionPointer<SetIntOption>(export)
            : null;
    }
}
