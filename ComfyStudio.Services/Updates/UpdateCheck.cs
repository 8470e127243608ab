using System.ComponentModel;
using System.Globalization;
using ComfyStudio.Services.Configuration;
using ComfyStudio.Services.Data;
using ComfyStudio.Services.Events;
using ComfyStudio.Services.Versions;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComfyStudio.Services.Updates;

/// <summary>
/// The recurring check (every <c>UPDATE_CHECK_HOURS</c>): fetches the release and announces newer components once per
/// release commit. The Hangfire job runs every hour and checks only when the interval has passed since the last
/// scheduled check (kept in <c>settings</c>), so any number of hours is honoured, not only those that divide a day.
/// </summary>
public sealed class UpdateCheck(
    ReleaseRepository repository, UpdateNotice notice, LocalVersion local, EventBus bus,
    IDbContextFactory<StudioDbContext> dbFactory, IOptions<StudioOptions> options, TimeProvider clock, ILogger<UpdateCheck> logger)
{
    public const string RecurringJobId = "check-for-updates";

    /// <summary>When the recurring job runs: every hour, on the hour.</summary>
    public const string Schedule = "0 * * * *";

    /// <summary>The setting holding when the last scheduled check started (ISO-8601 UTC), so a restart keeps the rhythm.</summary>
    public const string LastCheckSetting = "update_check_last";

    /// <summary>The longest interval honoured: a year. A larger <c>UPDATE_CHECK_HOURS</c> is clamped to it (with a warning at start).</summary>
    public const int MaxHours = 24 * 366;

    /// <summary>An hourly run starts a little before or after the hour: a check due within this much counts as due, so 6 h stays 6 h, not 7.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMinutes(5);

    /// <summary>The interval <c>UPDATE_CHECK_HOURS</c> asks for: null when it is off (0 or less), at most <see cref="MaxHours"/>.</summary>
    public static TimeSpan? Interval(int hours) => hours <= 0 ? null : TimeSpan.FromHours(Math.Min(hours, MaxHours));

    /// <summary>The recurring job: checks when the interval has passed since the last scheduled check, else says when it will.</summary>
    [DisplayName("Check the release repository for updates when due")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<string> RunWhenDueAsync(CancellationToken ct)
    {
        if (Interval(options.Value.UpdateCheckHours) is not { } interval) return "The update check is off (UPDATE_CHECK_HOURS is 0)";
        var now = clock.GetUtcNow().UtcDateTime;
        // A last check in the future (the clock was set back) does not hold the next one off.
        if (await LastCheckAsync(ct) is { } last && last <= now + Slack && now - last < interval - Slack)
            return $"Not due: last checked {Shown(last)}, next check from {Shown(last + interval)}";
        await SaveLastCheckAsync(now, ct); // before the fetch: a remote that fails is asked again after the interval, not every hour
        var available = await RunAsync(ct);
        return available.Count == 0 ? "No update available" : "Update available: " + string.Join(", ", available);
    }

    /// <summary>Checks now: fetches the release, records it, and announces newer components once per release commit.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken ct)
    {
        var fetched = await repository.FetchAsync(ct);
        var isNew = notice.Record(fetched);
        var available = UpdateNotice.Newer(fetched.Manifest, local.Read());
        if (available.Count > 0 && isNew)
        {
            logger.LogInformation("Update available: {Version} ({Components})", fetched.Manifest.AppVersion, available);
            bus.Publish(new UpdateAvailable(fetched.Manifest.AppVersion, available));
        }
        return available;
    }

    /// <summary>When the last scheduled check started, or null when none has.</summary>
    public async Task<DateTime?> LastCheckAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == LastCheckSetting, ct);
        return DateTime.TryParse(row?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
    }

    private async Task SaveLastCheckAsync(DateTime at, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Settings.FindAsync([LastCheckSetting], ct);
        if (row is null) db.Settings.Add(row = new SettingRecord { Key = LastCheckSetting });
        row.Value = at.ToString("o", CultureInfo.InvariantCulture);
        row.UpdatedAt = at;
        await db.SaveChangesAsync(ct);
    }

    private static string Shown(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
