using System.ComponentModel.DataAnnotations;

namespace ComfyStudio.Services.Jobs;

/// <summary>Hangfire settings (section <c>Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";
    /// <summary>Which job storage: <c>Sqlite</c> (<c>STUDIO_DIR/database/jobs.db</c>, survives restarts) or <c>InMemory</c>.</summary>
    [RegularExpression("(?i)^(sqlite|inmemory)$", ErrorMessage = "Jobs:Storage must be Sqlite or InMemory")] public string Storage { get; set; } = "Sqlite";
    /// <summary>Worker threads of the in-process Hangfire server.</summary>
    [Range(1, 256)] public int Workers { get; set; } = 4;
    /// <summary>Worker threads for the <c>downloads</c> queue (each runs one download; files wait for <c>max_concurrent</c>).</summary>
    [Range(1, 256)] public int DownloadWorkers { get; set; } = 12;
    /// <summary>Run the Hangfire server in this process (tests of the API alone may turn it off).</summary>
    public bool RunServer { get; set; } = true;
    /// <summary>How soon a job whose worker died (the process was killed) is handed out again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
