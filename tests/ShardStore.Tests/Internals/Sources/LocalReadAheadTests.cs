using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Internals.Sources;
using ShardStore.Storage;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Sources;

[TestClass]
public sealed class LocalReadAheadTests
{
    private const int Samples = 899;

    [TestMethod]
    [DataRow(SampleOrder.Sequential, CodecKind.None)]
    [DataRow(SampleOrder.Window, CodecKind.Lz4)]
    [DataRow(SampleOrder.Window, CodecKind.None)]
    public void Loader_DirectIo_ChunksComeFromTheReadAheadAndNothingIsHeldAfter(SampleOrder order, CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, Samples, codec);
        RequireDirectIo(path);
        ShardLoaderOptions options = LoaderHarness.Options(order, 16) with { Epochs = 2 };
        List<BatchRecord> mapped;
        using (ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Mapped, directIo: null)))
        {
            mapped = LoaderHarness.Run(ds, options);
        }

        using ShardDataset direct = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo: true));
        LoaderHarness.AssertSameBatches(mapped, LoaderHarness.Run(direct, options), "direct I/O with read-ahead");

        LocalReadAhead readAhead = direct.LocalReadAhead ?? throw new AssertFailedException("direct I/O has a read-ahead");
        Assert.IsGreaterThan(0L, readAhead.ChunksTaken, "reads took chunks read ahead");
        Assert.AreEqual(0L, readAhead.HeldBytes, "a stopped loader's read-ahead is dropped");
    }

    [TestMethod]
    public void Loader_ShardsClosedByTheOpenLimit_ReadAheadReopensThemAndBatchesMatch()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, Samples, CodecKind.Lz4);
        RequireDirectIo(path);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);
        List<BatchRecord> mapped;
        using (ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Mapped, directIo: null)))
        {
            mapped = LoaderHarness.Run(ds, options);
        }

        using ShardDataset direct = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo: true, maxOpenShards: 1));
        Assert.IsGreaterThan(2, direct.Shards.Count, "the test needs more shards than the open limit");

        LoaderHarness.AssertSameBatches(mapped, LoaderHarness.Run(direct, options), "direct I/O, one shard open at a time");
        Assert.IsGreaterThan(0L, direct.LocalReadAhead!.ChunksTaken);
    }

    [TestMethod]
    public void Dispose_DatasetWhileReadsAreAhead_NoErrorAndLaterUseRefused()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, Samples, CodecKind.Lz4);
        RequireDirectIo(path);
        ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo: true));
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Window, 16) with { Epochs = 3 });
        LoaderHarness.Drain(loader, limit: 3);

        ds.Dispose();
        loader.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => ds.ReadChunk(0, 0));
    }

    [TestMethod]
    [DataRow(ShardReadMode.Direct, null, false)]
    [DataRow(ShardReadMode.Direct, false, false)]
    [DataRow(ShardReadMode.Direct, true, true)]
    [DataRow(ShardReadMode.Mapped, true, false)]
    [DataRow(ShardReadMode.Auto, null, false)]
    public void Open_ReadModeAndDirectIo_ResolvedAsDocumented(ShardReadMode mode, bool? directIo, bool expected)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, 64);

        using ShardDataset ds = ShardDataset.Open(path, Options(mode, directIo));

        Assert.AreEqual(expected, ds.DirectIo, "a small dataset in Auto mode is mapped; only direct reads bypass the page cache");
        Assert.AreEqual(expected, ds.LocalReadAhead is not null, "the read-ahead exists with direct I/O only");
    }

    private static ShardDatasetOptions Options(ShardReadMode mode, bool? directIo, int maxOpenShards = 128) => new()
    {
        MaxMappedShards = maxOpenShards,
        Codecs = NativeCodecs.Provider,
        Checksums = ChecksumPolicy.Always,
        ReadMode = mode,
        DirectIo = directIo,
    };

    private static void RequireDirectIo(string path)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle? probe = DirectShard.TryOpenDirect(ShardCorruptor.ShardPath(path, 0));
        if (probe is null)
        {
            Assert.Inconclusive("this platform or the temporary directory's file system refuses O_DIRECT, so nothing is read ahead by the dataset");
        }
    }
}
