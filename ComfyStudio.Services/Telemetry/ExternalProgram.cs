using System.ComponentModel;
using System.Diagnostics;

namespace ComfyStudio.Services.Telemetry;

/// <summary>Runs a short-lived program (nvidia-smi, du) with a time limit.</summary>
internal static class ExternalProgram
{
    /// <summary>
    /// Runs <paramref name="path"/> and reads all it prints. A program that runs past <paramref name="timeout"/>
    /// is killed with its children. Throws only <see cref="OperationCanceledException"/>, when
    /// <paramref name="ct"/> is cancelled (the program is killed then too).
    /// </summary>
    public static async Task<ProgramOutput> RunAsync(string path, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = false, CreateNoWindow = true,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);

        using var process = new Process { StartInfo = info };
        try
        {
            if (!process.Start()) return ProgramOutput.NotStarted;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException or IOException)
        {
            return ProgramOutput.NotStarted;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token); // drained so a chatty program cannot block on a full pipe
        try
        {
            await process.WaitForExitAsync(limit.Token);
            var text = await stdout;
            await stderr;
            return new ProgramOutput(ProgramOutcome.Exited, process.ExitCode, text);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            Observe(stdout);
            Observe(stderr);
            ct.ThrowIfCancellationRequested();
            return ProgramOutput.TimedOut;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Kill(process);
            return ProgramOutput.NotStarted;
        }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException) { }
    }

    /// <summary>A read abandoned after a kill ends on its own; its outcome is not wanted.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
