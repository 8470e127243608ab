namespace ComfyStudio.Services.Updates;

/// <summary>Told before each component is swapped in (tests use it to fail a deploy half-way).</summary>
public interface IDeployObserver
{
    void BeforeSwap(string component);
}
