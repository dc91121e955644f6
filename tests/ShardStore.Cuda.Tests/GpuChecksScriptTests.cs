using System.Diagnostics;

namespace ShardStore.Cuda.Tests;

/// <summary>The GPU check script (bench/gpu/run-gpu-checks.sh): its driver check, the part that runs before anything needs a GPU.</summary>
[TestClass]
public sealed class GpuChecksScriptTests
{
    [TestMethod]
    public void Check_NoDriver_ReportsItAndExitsThree()
    {
        string? script = FindScript();
        if (script is null || !OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("bench/gpu/run-gpu-checks.sh is not above the test's folder (a copied test build), or this is not Linux.");
        }

        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("check");
        info.Environment["SHARDSTORE_CUDA_DRIVER"] = "/nonexistent/libcuda.so.1";
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the check ran past 30 s");
        }

        Assert.AreEqual(3, process.ExitCode, stdout.Result + stderr.Result);
        StringAssert.Contains(stderr.Result, "no CUDA driver found");
    }

    private static string? FindScript()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "gpu", "run-gpu-checks.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
