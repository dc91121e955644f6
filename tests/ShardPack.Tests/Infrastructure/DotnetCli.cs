using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Runs the .NET SDK's <c>dotnet</c> (and programs it installs) as child processes with a time limit, for the packaging tests.</summary>
internal static class DotnetCli
{
    // Variables the test host inherits from an outer dotnet test/MSBuild; a nested dotnet must find its own SDK.
    private static readonly string[] s_inheritedBuildVariables =
        ["MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH"];

    /// <summary>Gets the root of the .NET installation the tests run on (the folder holding <c>dotnet</c> and <c>shared/</c>).</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>Gets the path of the dotnet host beside the runtime the tests run on, or null when there is none.</summary>
    public static string? HostPath
    {
        get
        {
            string path = Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>Gets the repository root (the folder holding ShardStore.sln) above the test binaries, or null when they were copied elsewhere.</summary>
    public static string? RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "ShardStore.sln")))
                {
                    return d.FullName;
                }
            }

            return null;
        }
    }

    /// <summary>Returns how to start <paramref name="program"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>: its output redirected, and DOTNET_ROOT set to <see cref="DotnetRoot"/> so that an apphost finds the runtime the tests run on.</summary>
    public static ProcessStartInfo CreateStartInfo(string program, string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_ROOT"] = DotnetRoot;
        return info;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/>; fails the test when it outlives <paramref name="timeout"/>.</summary>
    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        string host = HostPath ?? throw new InvalidOperationException($"Test setup: no dotnet host in {DotnetRoot}.");
        return RunProgram(host, workingDirectory, environment, timeout, args);
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/>; fails the test when it outlives <paramref name="timeout"/>.</summary>
    public static CliResult RunProgram(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        ProcessStartInfo info = CreateStartInfo(program, workingDirectory, args);
        foreach (string name in s_inheritedBuildVariables)
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No MSBuild worker nodes or build server outlive the command.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new CapturedLines();
        var error = new CapturedLines();
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Test setup: {program} did not start.");
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => error.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', args)} did not exit within {timeout}.\nstdout:\n{output.Text}\nstderr:\n{error.Text}");
        }

        // Also waits until both streams are read to the end.
        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Text, error.Text);
    }
}
