using System.Diagnostics;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Runs the built shardpack executable as a child process, for what only a real process shows: signals, kills, the working directory, exit codes.</summary>
internal sealed class CliProcess : IDisposable
{
    /// <summary>The heap limit of a small container: 256 MiB (for DOTNET_GCHeapHardLimit).</summary>
    public const string SmallHeap = "0x10000000";

    private readonly Process _process;
    private readonly CapturedLines _output = new();
    private readonly CapturedLines _error = new();

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _error.Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Gets the exit code of the ended process.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts shardpack with <paramref name="args"/> in <paramref name="workingDirectory"/>; Inconclusive when the executable is not beside the tests.</summary>
    public static CliProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        string? exe = ExecutablePath;
        if (exe is null)
        {
            Assert.Inconclusive($"The shardpack executable is not beside the tests ({AppContext.BaseDirectory}).");
        }

        ProcessStartInfo info = DotnetCli.CreateStartInfo(exe, workingDirectory, args);
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new CliProcess(Process.Start(info) ?? throw new InvalidOperationException("Test setup: shardpack did not start."));
    }

    /// <summary>Runs shardpack to the end (at most two minutes) and returns its exit code and output.</summary>
    public static CliResult Run(string workingDirectory, params string[] args)
    {
        using CliProcess p = Start(workingDirectory, null, args);
        return p.WaitForExit(TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs shardpack with extra environment variables to the end, failing the test when it outlives <paramref name="timeout"/>.</summary>
    public static CliResult Run(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        using CliProcess p = Start(Environment.CurrentDirectory, environment, args);
        return p.WaitForExit(timeout);
    }

    /// <summary>Sends a POSIX signal (INT, TERM, KILL) with kill(1); Inconclusive where there is none.</summary>
    public void Signal(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("POSIX signals need Linux or macOS.");
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Test setup: kill did not start.");
        kill.WaitForExit();
        Assert.AreEqual(0, kill.ExitCode, $"kill -s {name} {Id} failed.");
    }

    /// <summary>Waits until a line of standard error contains <paramref name="text"/> (e.g. a pause hook's report).</summary>
    /// <returns>False when the process exited or the time ran out first.</returns>
    public bool WaitForError(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            bool exited = _process.HasExited;
            if (Error.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (exited)
            {
                _process.WaitForExit();
                return Error.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(10);
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

    /// <summary>Waits for the process to end; kills it and fails the test when it outlives <paramref name="timeout"/>.</summary>
    public CliResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"shardpack did not exit within {timeout}.\nstderr:\n{Error}");
        }

        // Also waits until both streams are read to the end.
        _process.WaitForExit();
        return new CliResult(_process.ExitCode, _output.Text, Error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private string Error => _error.Text;
}
