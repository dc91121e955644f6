using System.Collections.Concurrent;
using System.Diagnostics;

namespace ShardStore.Internals.Caching;

/// <summary>
/// The exclusive lock of a cache directory, over every process and every cache instance of this process: a
/// lock file opened with <see cref="FileShare.None"/>, waited for up to a bound.
/// </summary>
/// <remarks>
/// On Linux and macOS .NET takes <c>flock(LOCK_EX | LOCK_NB)</c> on a file opened with <see cref="FileShare.None"/>
/// (on Windows the share mode does the same). flock belongs to the open file description, not to the process as
/// POSIX <c>fcntl</c> byte-range locks do, so two opens in one process also exclude each other, and closing some
/// other descriptor of the file cannot drop it. The lock is released when the file is closed, also by the kernel
/// when the process dies, so a crash never leaves the directory locked. The open does not block, so it is retried
/// every millisecond or so; threads of this process queue on a semaphore first and do not spin on the file.
/// The runtime skips flock when <c>System.IO.DisableFileLocking</c> (DOTNET_SYSTEM_IO_DISABLEFILELOCKING) is set:
/// <see cref="ThrowIfLockingDisabled"/> refuses to share a directory then.
/// </remarks>
internal sealed class CacheDirectoryLock
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_inProcess = new(StringComparer.Ordinal);

    private readonly string _path;
    private readonly SemaphoreSlim _gate;
    private readonly TimeSpan _timeout;

    // Written by the holder only: the managed thread that holds the lock through this instance, 0 when none.
    private volatile int _owner;

    public CacheDirectoryLock(string lockFilePath, TimeSpan timeout)
    {
        _path = Path.GetFullPath(lockFilePath);
        _timeout = timeout;
        _gate = s_inProcess.GetOrAdd(_path, static _ => new SemaphoreSlim(1, 1));
    }

    public string FilePath => _path;

    /// <summary>Gets whether the calling thread holds the lock through this instance (for assertions).</summary>
    public bool IsHeldByCurrentThread => _owner == Environment.CurrentManagedThreadId;

    public static void ThrowIfLockingDisabled(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        bool disabled = AppContext.TryGetSwitch("System.IO.DisableFileLocking", out bool value) && value;
        string? variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        disabled |= variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
        if (disabled)
        {
            throw new NotSupportedException(
                $"The chunk cache in '{directory}' is shared between processes through a file lock, but file locking is disabled " +
                "(System.IO.DisableFileLocking or DOTNET_SYSTEM_IO_DISABLEFILELOCKING). Unset it, or give each process a cache directory of its own.");
        }
    }

    /// <summary>Takes the lock, waiting up to the bound given at construction; dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">The lock was held by someone else for longer than the bound.</exception>
    public Held Acquire(out TimeSpan waited) => Acquire(_timeout, out waited);

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">The lock was held by someone else for longer than <paramref name="timeout"/>.</exception>
    public Held Acquire(TimeSpan timeout, out TimeSpan waited)
    {
        long start = Stopwatch.GetTimestamp();
        if (!_gate.Wait(timeout))
        {
            throw Timeout(timeout, null);
        }

        try
        {
            int attempt = 0;
            while (true)
            {
                try
                {
                    var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
                    waited = Stopwatch.GetElapsedTime(start);
                    _owner = Environment.CurrentManagedThreadId;
                    return new Held(this, file);
                }
                catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
                {
                    // Held by another process (EWOULDBLOCK, or a sharing violation on Windows).
                    if (Stopwatch.GetElapsedTime(start) >= timeout)
                    {
                        throw Timeout(timeout, e);
                    }

                    // The lock is held for well under a millisecond (a state file read and written): poll often.
                    if (++attempt <= 3)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        Thread.Sleep(1);
                    }
                }
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private TimeoutException Timeout(TimeSpan timeout, Exception? inner) => new(
        $"The chunk cache lock '{_path}' was held by another process or thread for more than {timeout.TotalSeconds:0.###} s. " +
        "A process that uses the cache may be hung while holding it, or another program keeps the file open: stop it, or use another cache directory.",
        inner);

    private void Release(FileStream file)
    {
        _owner = 0;
        file.Dispose();
        _gate.Release();
    }

    /// <summary>The held lock: closing the file releases it for other processes, then the semaphore for this one.</summary>
    internal readonly struct Held(CacheDirectoryLock owner, FileStream file) : IDisposable
    {
        public void Dispose() => owner.Release(file);
    }
}
