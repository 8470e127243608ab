namespace ComfyStudio.Services.Telemetry;

internal enum ProgramOutcome
{
    /// <summary>It ran to its end; see the exit code.</summary>
    Exited,
    /// <summary>It could not be started: not installed, not executable.</summary>
    NotStarted,
    /// <summary>It ran past its time limit and was killed.</summary>
    TimedOut,
}
