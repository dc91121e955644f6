using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ShardStore.Testing.Infrastructure;

/// <summary>
/// The CacheStress console program (tests/CacheStress) as a child process: a second OS process that uses the same
/// cache directory. Built once per test run with the SDK the tests run on (a no-op when the solution build made it),
/// one build at a time over every test process (two test projects start it).
/// </summary>
internal sealed class CacheStressProcess : IDisposable
{
    private static readonly Lazy<string> s_program = new(Build);
    private readonly Process _process;
    private readonly CapturedLines _output = new();
    private readonly CapturedLines _error = new();

    private CacheStressProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _error.Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public string Output => _output.Text;

    public string Error => _error.Text;

    private static string DotnetHost
    {
        get
        {
            string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            string host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            return File.Exists(host) ? host : "dotnet";
        }
    }

    public static CacheStressProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(s_program.Value);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return new CacheStressProcess(Process.Start(info) ?? throw new InvalidOperationException("Test setup: CacheStress did not start."));
    }

    /// <summary>Waits for the process to end; kills it and fails the test when it outlives <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"CacheStress did not exit within {timeout}.\nstderr:\n{Error}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
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

    // Inconclusive when the sources are not beside the tests (an installed test build) or the SDK is missing.
    private static string Build()
    {
        string? project = FindProject();
        if (project is null)
        {
            Assert.Inconclusive($"tests/CacheStress/CacheStress.csproj was not found above {AppContext.BaseDirectory}.");
        }

        string configuration = typeof(CacheStressProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        using FileStream buildLock = LockBuild(Path.GetDirectoryName(project)!);
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["build", project, "-c", configuration, "-nologo", "-v", "q", "-nodeReuse:false"])
        {
            info.ArgumentList.Add(a);
        }

        Process build;
        try
        {
            build = Process.Start(info) ?? throw new InvalidOperationException("Test setup: dotnet build did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Inconclusive($"The dotnet host could not be started to build CacheStress: {e.Message}");
            throw;
        }

        using (build)
        {
            Task<string> output = build.StandardOutput.ReadToEndAsync();
            Task<string> error = build.StandardError.ReadToEndAsync();
            if (!build.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                build.Kill(entireProcessTree: true);
                Assert.Fail("Building tests/CacheStress took more than 5 minutes.");
            }

            build.WaitForExit();
            Assert.AreEqual(0, build.ExitCode, $"Building tests/CacheStress failed:\n{output.Result}\n{error.Result}");
        }

        string program = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, "net10.0", "CacheStress.dll");
        Assert.IsTrue(File.Exists(program), $"The build did not make {program}.");
        return program;
    }

    // Test projects run in parallel, and two builds of one project at once can trip over each other's files.
    private static FileStream LockBuild(string projectDirectory)
    {
        string path = Path.Combine(projectDirectory, "obj", "test-build.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < TimeSpan.FromMinutes(5))
            {
                Thread.Sleep(50);
            }
        }
    }

    private static string? FindProject()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "CacheStress", "CacheStress.csproj");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
