using System.Diagnostics;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Runs the built shardpack as a child process, so that a crash (stack overflow, out of memory) is an exit code instead of the end of the test host.</summary>
internal static class CliProcess
{
    /// <summary>The heap limit of a small container: 256 MiB.</summary>
    public const string SmallHeap = "0x10000000";

    /// <summary>Runs shardpack with <paramref name="args"/> and the extra environment variables; kills it after <paramref name="timeout"/>.</summary>
    public static CliResult Run(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        string app = Path.Combine(AppContext.BaseDirectory, "shardpack.dll");
        if (!File.Exists(app))
        {
            Assert.Inconclusive($"shardpack.dll is not beside the tests ({app}).");
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"shardpack {string.Join(' ', args)} did not end within {timeout.TotalSeconds} s; stderr so far:\n{error.Result}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Result, error.Result);
    }

    // The muxer that runs the tests; DOTNET_HOST_PATH is set by the SDK, the PATH lookup covers a direct run of the test executable.
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        return !string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, name)) ? Path.Combine(root, name) : name;
    }
}
