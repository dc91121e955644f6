using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// A FIFO, device or directory where the manifest or a shard should be: open refuses it at once, naming the file,
/// instead of blocking forever on a FIFO that no process writes.
/// </summary>
[TestClass]
public sealed class ShardDatasetSpecialFileTests
{
    // Generous: open refuses at once; only a hang takes this long.
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    [TestMethod]
    public void Open_ManifestIsFifo_ThrowsNamingManifestWithoutBlocking()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string manifest = ShardCorruptor.ManifestPath(path);
        File.Delete(manifest);
        MakeFifo(manifest);

        InvalidDataException e = OpenWithoutHanging(path, manifest);
        Assert.Contains(FormatConstants.ManifestFileName, e.Message);
        Assert.Contains("not a regular file", e.Message);
    }

    [TestMethod]
    public void Open_ShardIsFifo_ThrowsNamingShardWithoutBlocking()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shard = ShardCorruptor.ShardPath(path, 1);
        File.Delete(shard);
        MakeFifo(shard);

        InvalidDataException e = OpenWithoutHanging(path, shard);
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("not a regular file", e.Message);
    }

    [TestMethod]
    public void Open_ShardIsCharacterDevice_ThrowsNamingShard()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/zero"))
        {
            Assert.Inconclusive("Needs /dev/zero (Linux).");
        }

        using var dir = new TempDirectory();
        string path = Write(dir);
        string shard = ShardCorruptor.ShardPath(path, 0);
        File.Delete(shard);
        File.CreateSymbolicLink(shard, "/dev/zero");

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("not a regular file", e.Message);
    }

    [TestMethod]
    public void Open_ManifestIsCharacterDevice_ThrowsNamingManifest()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/zero"))
        {
            Assert.Inconclusive("Needs /dev/zero (Linux).");
        }

        using var dir = new TempDirectory();
        string path = Write(dir);
        string manifest = ShardCorruptor.ManifestPath(path);
        File.Delete(manifest);
        File.CreateSymbolicLink(manifest, "/dev/zero");

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        Assert.Contains(FormatConstants.ManifestFileName, e.Message);
        Assert.Contains("not a regular file", e.Message);
    }

    [TestMethod]
    public void ReadSample_EvictedShardReplacedByFifo_ThrowsNamingShardWithoutBlocking()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = TestData.ReadOptions().Codecs, MaxMappedShards = 1 });
        using (ds.ReadSample(ds.SampleCount - 1))
        {
        }

        string shard = ShardCorruptor.ShardPath(path, 0);
        File.Delete(shard);
        MakeFifo(shard);

        Task<SampleLease> read = Task.Run(() => ds.ReadSample(0));
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => WaitOrUnblock(read, shard));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
    }

    private static string Write(TempDirectory dir)
    {
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 600, TestData.Options(chunkBytes: 1024, shardBytes: 8 << 10));
        return path;
    }

    internal static void MakeFifo(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Refusing a FIFO without blocking is implemented on Linux (docs/FORMAT.md).");
        }

        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false });
        if (mkfifo is null)
        {
            Assert.Inconclusive("mkfifo could not be started.");
        }

        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0 || !File.Exists(path))
        {
            Assert.Inconclusive($"mkfifo exited with {mkfifo.ExitCode}.");
        }
    }

    private static InvalidDataException OpenWithoutHanging(string dataset, string fifo)
    {
        Task<ShardDataset> open = Task.Run(() => ShardDataset.Open(dataset, TestData.ReadOptions()));
        return Assert.ThrowsExactly<InvalidDataException>(() => WaitOrUnblock(open, fifo).Dispose());
    }

    // Returns the task's result, rethrowing its exception; a task still blocked on the FIFO is released by opening
    // its write end, and the test fails.
    private static T WaitOrUnblock<T>(Task<T> task, string fifo)
    {
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(s_hang))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail($"Blocked for {s_hang.TotalSeconds} s on the FIFO '{fifo}'.");
        }

        return task.GetAwaiter().GetResult();
    }
}
