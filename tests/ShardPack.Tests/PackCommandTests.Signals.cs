using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>SIGINT and SIGTERM stop a pack cleanly: the staging directory is deleted and the exit code says which signal.</summary>
public sealed partial class PackCommandTests
{
    [TestMethod]
    [DataRow("INT", ExitCodes.Interrupted)]
    [DataRow("TERM", ExitCodes.Terminated)]
    public void Run_SignalWhilePacking_ExitsWithSignalCodeAndLeavesNothing(string signal, int expected)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("POSIX signals need Linux or macOS.");
        }

        using var dir = new TempDirectory();

        // 64 GiB of zeros in a sparse file: the pack is still running whenever the signal comes.
        string input = dir.Combine("zeros.bin");
        using (FileStream f = File.Create(input))
        {
            f.SetLength(64L << 30);
        }

        string output = dir.Combine("out");
        using CliProcess pack = CliProcess.Start(dir.Path, null, "pack", "--from", "raw", "--input", input, "--field", "x:u8:4096", "-o", output, "--threads", "1");
        WaitForShard(dir.Path, pack);

        pack.Signal(signal);
        CliResult r = pack.WaitForExit(TimeSpan.FromMinutes(1));

        Assert.AreEqual(expected, r.ExitCode, r.ToString());
        string[] lines = r.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, r.ToString());
        Assert.Contains("SIG" + signal, lines[0]);
        Assert.IsFalse(Directory.Exists(output));
        Assert.IsEmpty(Directory.GetDirectories(dir.Path, ".out.partial-*"), r.ToString());
    }

    // Waits until the pack has written into its staging directory (it has registered its signal handlers long before).
    private static void WaitForShard(string parent, CliProcess pack)
    {
        for (int i = 0; i < 1200; i++)
        {
            if (Directory.GetDirectories(parent, ".out.partial-*").Any(d => Directory.EnumerateFiles(d).Any()))
            {
                return;
            }

            if (pack.HasExited)
            {
                Assert.Fail($"shardpack exited before the signal: {pack.WaitForExit(TimeSpan.FromSeconds(10))}");
            }

            Thread.Sleep(100);
        }

        Assert.Fail("shardpack wrote no shard within two minutes.");
    }
}
