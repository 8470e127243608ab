namespace ComfyStudio.Services.Telemetry;

/// <summary>How a program run went, its exit code and what it printed (both only when it <see cref="ProgramOutcome.Exited"/>).</summary>
internal sealed record ProgramOutput(ProgramOutcome Outcome, int ExitCode, string StandardOutput)
{
    public static readonly ProgramOutput NotStarted = new(ProgramOutcome.NotStarted, -1, "");
    public static readonly ProgramOutput TimedOut = new(ProgramOutcome.TimedOut, -1, "");
}
