using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace ComfyStudio.Services.Downloads;

/// <summary>
/// SHA-256 computed while the download runs: a cursor that hashes the written prefix of the <c>.part</c> as it grows
/// (the bytes are still in the page cache), so that verifying at the end only reads what came last.
/// </summary>
internal sealed class HashCursor : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SafeFileHandle _file;
    private readonly Func<long> _prefixEnd;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private readonly Task _loop;
    private long _hashed;

    public HashCursor(SafeFileHandle file, Func<long> prefixEnd)
    {
        _file = file;
        _prefixEnd = prefixEnd;
        _loop = Task.Run(FollowAsync);
    }

    /// <summary>Tells the cursor the prefix may have grown.</summary>
    public void Poke()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    private async Task FollowAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await HashUpToAsync(_prefixEnd(), _stop.Token);
                await _signal.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task HashUpToAsync(long end, CancellationToken ct)
    {
        while (_hashed < end)
        {
            var n = await RandomAccess.ReadAsync(_file, _buffer.AsMemory(0, (int)Math.Min(_buffer.Length, end - _hashed)), _hashed, ct);
            if (n == 0) break;
            _sha.AppendData(_buffer, 0, n);
            Interlocked.Add(ref _hashed, n);
        }
    }

    /// <summary>Hashes what is left up to <paramref name="total"/> and answers the hash (lowercase hex).</summary>
    public async Task<string> FinishAsync(long total, CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
        await HashUpToAsync(total, ct);
        if (_hashed != total) throw new IOException($"the .part holds {_hashed} of {total} bytes");
        return Convert.ToHexStringLower(_sha.GetHashAndReset());
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _sha.Dispose();
        _signal.Dispose();
        _stop.Dispose();
    }
}
