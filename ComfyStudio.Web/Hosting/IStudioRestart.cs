namespace ComfyStudio.Web.Hosting;

/// <summary>Asks the app to restart itself (the System page, <c>POST /api/admin/system/restart</c>, a backend update).</summary>
public interface IStudioRestart
{
    bool Requested { get; }

    /// <summary>Flushes the databases, then stops the host after <paramref name="delay"/> so the answer reaches the caller.</summary>
    Task RequestAsync(string reason, TimeSpan delay, CancellationToken ct = default);
}
