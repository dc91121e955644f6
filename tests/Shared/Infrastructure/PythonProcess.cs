using System.Diagnostics;

namespace ShardStore.Testing.Infrastructure;

/// <summary>Finds a python3 and runs it as a child process with a time limit, for the tests that compare with a Python reference.</summary>
internal static class PythonProcess
{
    /// <summary>Returns the first of $SHARDSTORE_PYTHON, /usr/bin/python3 and python3 on PATH for which <paramref name="works"/> is true, or null when none is.</summary>
    public static string? Find(Func<string, bool> works)
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("SHARDSTORE_PYTHON"), "/usr/bin/python3", "python3"];
        foreach (string? candidate in candidates)
        {
            if (string.IsNullOrEmpty(candidate))
            {
                continue;
            }

            try
            {
                if (works(candidate))
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="python"/> with <paramref name="arguments"/>, in <paramref name="workingDirectory"/> (the current one when null) and with <paramref name="environment"/> added.</summary>
    /// <returns>The exit code and the standard output and error, or null when it outlived <paramref name="timeout"/> and was killed.</returns>
    /// <exception cref="AssertFailedException">The process did not start.</exception>
    public static (int Code, string Output, string Error)? Execute(
        string python, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new AssertFailedException($"could not start {python}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return null;
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
