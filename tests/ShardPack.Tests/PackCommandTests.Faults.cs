using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>Packs that cannot finish: a read-only or full output file system, a sample too large for a chunk.</summary>
public sealed partial class PackCommandTests
{
    [TestMethod]
    public void Run_ReadOnlyOutputDirectory_ExitsOneLeavingNothing()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [1000], new int[1000]);
        using TmpfsMount? readOnly = TmpfsMount.TryMount(dir.Path, "ro,size=1m");
        string parent = readOnly?.Path ?? dir.Combine("ro");
        if (readOnly is null)
        {
            // Without root a folder without write permission is read-only; root ignores the mode bits, so it needs a read-only mount.
            if (Environment.UserName == "root" || OperatingSystem.IsWindows())
            {
                Assert.Inconclusive("A read-only folder needs a read-only mount, and mounting is not permitted here.");
                return;
            }

            Directory.CreateDirectory(parent);
            File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        try
        {
            CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", Path.Combine(parent, "out"), "-q");

            Assert.AreEqual(ExitCodes.Failure, r.ExitCode, r.ToString());
            Assert.HasCount(1, r.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), r.ToString());
            Assert.Contains(parent, r.Error);
            Assert.IsEmpty(Directory.GetFileSystemEntries(parent));
        }
        finally
        {
            if (readOnly is null && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    [TestMethod]
    public void Run_DiskFull_ExitsOneSayingSoAndLeavesNoPartialDirectory()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("x.npy");
        byte[] data = new byte[8 << 20];
        new Random(3).NextBytes(data);
        NpyWriter.Write(input, "|u1", [data.Length / 1024, 1024], data);
        using TmpfsMount? small = TmpfsMount.TryMount(dir.Path, "size=4m");
        if (small is null)
        {
            Assert.Inconclusive("A full disk needs a small tmpfs, and mounting is not permitted here (run the tests as root).");
        }

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "x=" + input, "-o", Path.Combine(small.Path, "out"), "--codec", "none", "--chunk-size", "256K", "-q");

        Assert.AreEqual(ExitCodes.Failure, r.ExitCode, r.ToString());
        Assert.HasCount(1, r.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), r.ToString());
        Assert.Contains("disk is full", r.Error);
        Assert.Contains(small.Path, r.Error);
        Assert.IsEmpty(Directory.GetFileSystemEntries(small.Path), "no partial directory is left");
    }

    [TestMethod]
    public void Run_SampleOverTwoGibibytes_ExitsThreeNamingFiles()
    {
        using var dir = new TempDirectory();

        // Two fields of 1.1 GB per sample: each fits a chunk, together they do not. Sparse files, nothing is read.
        foreach (string name in new[] { "a", "b" })
        {
            byte[] header = NpyWriter.Header("|u1", 1, 1_100_000_000);
            using FileStream f = File.Create(dir.Combine(name + ".npy"));
            f.Write(header);
            f.SetLength(header.Length + 1_100_000_000L);
        }

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "a=" + dir.Combine("a.npy"), "--field", "b=" + dir.Combine("b.npy"), "-o", dir.Combine("out"), "-q");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.HasCount(1, r.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), r.ToString());
        Assert.Contains("a.npy", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
        Assert.IsEmpty(Directory.GetDirectories(dir.Path, ".out.*"));
    }
}
