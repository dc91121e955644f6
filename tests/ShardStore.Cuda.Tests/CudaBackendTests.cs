using System.Diagnostics;
using System.Text.RegularExpressions;
using ShardStore.Cuda.Internals;

namespace ShardStore.Cuda.Tests;

/// <summary>
/// The CUDA backend (driver calls, handles, contexts) against a recording stand-in driver (StandIn/cuda_standin.c):
/// the GPU tests run in a child process that loads it through <see cref="NativeLibraryResolver.DriverPathVariable"/>,
/// and the recording of every driver call is checked.
/// </summary>
[TestClass]
public sealed partial class CudaBackendTests
{
    // Entry points that need no current context.
    private static readonly HashSet<string> s_contextFree =
    [
        "cuInit", "cuDriverGetVersion", "cuGetErrorName", "cuGetErrorString", "cuDeviceGetCount", "cuDeviceGet",
        "cuDeviceGetName", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2",
        "cuCtxPushCurrent_v2", "cuCtxPopCurrent_v2",
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Exports_ListEveryImportedEntryPoint()
    {
        string[] imported = [.. typeof(CudaDevice).Assembly.GetType("ShardStore.Cuda.Interop.Interop+CudaDriver", throwOnError: true)!
            .GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
            .Where(m => m.GetCustomAttributes(typeof(System.Runtime.InteropServices.LibraryImportAttribute), false).Length > 0)
            .Select(m => m.Name)
            .Order()];

        CollectionAssert.AreEqual(imported, Interop.Interop.CudaDriver.Exports.Order().ToArray(), "the probe resolves exactly what is imported");
    }

    [TestMethod]
    public void GpuTests_UnderARecordingStandInDriver_PassWithAContextForEveryCallAndBlockingHostWaits()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "StandIn", "cuda_standin.c");
        using var dir = new TempDirectory();
        string library = dir.Combine("libcuda-standin.so");
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("The stand-in driver is built for Linux.");
        }

        (int ccExit, string ccOutput) = Run("cc", ["-shared", "-fPIC", "-O1", "-pthread", "-o", library, source], [], TimeSpan.FromMinutes(2));
        if (ccExit == -1)
        {
            Assert.Inconclusive("No C compiler (cc) to build the stand-in driver.");
        }

        Assert.AreEqual(0, ccExit, ccOutput);
        string log = dir.Combine("calls.log");
        (string file, string[] prefix) = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) != "dotnet"
            ? (self, Array.Empty<string>())
            : ("dotnet", ["exec", typeof(CudaBackendTests).Assembly.Location]);
        (int exit, string output) = Run(
            file,
            [.. prefix, "--filter", "TestCategory=Gpu", "--results-directory", dir.Combine("results"), "--progress", "off"],
            [(NativeLibraryResolver.DriverPathVariable, library), ("SHARDSTORE_STANDIN_LOG", log)],
            TimeSpan.FromMinutes(5));

        Assert.AreEqual(0, exit, output);
        Match summary = SummaryLine().Match(output);
        Assert.IsTrue(summary.Success, output);
        Assert.AreEqual("0", Regex.Match(output, @"skipped: (\d+)").Groups[1].Value, $"every GPU test ran on the stand-in:\n{output}");
        Assert.IsTrue(int.Parse(Regex.Match(output, @"succeeded: (\d+)").Groups[1].Value) >= 6, output);

        string[] calls = File.ReadAllLines(log);
        string[] withoutContext = [.. calls.Where(c => c.Contains(" ctx=0") && !s_contextFree.Contains(c.Split(' ')[0])).Distinct()];
        Assert.AreEqual(0, withoutContext.Length, "driver calls made with no current context: " + string.Join("; ", withoutContext));
        Assert.IsTrue(calls.Any(c => c.StartsWith("cuStreamDestroy_v2 ctx=1", StringComparison.Ordinal)), "streams were destroyed");
        Assert.IsTrue(calls.Any(c => c.StartsWith("cuEventDestroy_v2 ctx=1", StringComparison.Ordinal)), "events were destroyed");
        Assert.IsTrue(calls.Any(c => c.StartsWith("cuModuleUnload ctx=1", StringComparison.Ordinal)), "the abandoned module was unloaded by the finalizer");
        string[] spinningWaits = [.. calls.Where(c => c.StartsWith("cuEventSynchronize", StringComparison.Ordinal) && !BlockingSync(c)).Distinct()];
        Assert.AreEqual(0, spinningWaits.Length, "host waits on events without CU_EVENT_BLOCKING_SYNC: " + string.Join("; ", spinningWaits));
        Assert.IsFalse(calls.Any(c => c.StartsWith("cuStreamSynchronize", StringComparison.Ordinal)), "cuStreamSynchronize waits as the shared context's flags say (spinning by default)");
    }

    [GeneratedRegex(@"Test run summary: Passed!")]
    private static partial Regex SummaryLine();

    private static bool BlockingSync(string call)
    {
        Match flags = Regex.Match(call, @"flags=(\d+)");
        return flags.Success && (uint.Parse(flags.Groups[1].Value) & 1) != 0;
    }

    // Runs a process with a bound; exit code -1 when it cannot start.
    private static (int Exit, string Output) Run(string file, string[] arguments, (string Name, string Value)[] environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, $"{file} could not start");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return (-2, $"{file} ran past {timeout}: {stdout.Result}{stderr.Result}");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
