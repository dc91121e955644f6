using System.Diagnostics;

namespace ShardPack.Tests.Infrastructure;

/// <summary>The shardpack executable built beside the tests, run as a child process that a test can kill.</summary>
internal sealed class ShardPackProcess : IDisposable
{
    private const string PausedMarker = "paused at";

    private readonly Process _process;
    private readonly ManualResetEventSlim _paused = new();

    private ShardPackProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains(PausedMarker, StringComparison.Ordinal) == true)
            {
                _paused.Set();
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Gets the path of the executable, or null when it was not built beside the tests.</summary>
    public static string? ExecutablePath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "shardpack.exe" : "shardpack");
            return File.Exists(path) ? path : null;
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts shardpack with <paramref name="arguments"/> and extra environment variables.</summary>
    public static ShardPackProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(ExecutablePath ?? throw new InvalidOperationException("shardpack was not built beside the tests."))
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        return new ShardPackProcess(Process.Start(info) ?? throw new InvalidOperationException("shardpack did not start."));
    }

    /// <summary>Waits until the process reports that it paused at the step named by the pause hook.</summary>
    /// <returns>False when it exited or the time ran out first.</returns>
    public bool WaitUntilPaused(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_paused.Wait(TimeSpan.FromMilliseconds(20)))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return _paused.IsSet;
            }
        }

        return false;
    }

    /// <summary>Kills the process (SIGKILL on Unix) if it still runs, and waits for it.</summary>
    /// <returns>Whether it was still running and was killed.</returns>
    public bool Kill()
    {
        bool killed = false;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                killed = true;
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.WaitForExit();
        return killed && _process.ExitCode != 0;
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _paused.Dispose();
    }
}
