using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Storage;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    public static IEnumerable<object[]> ReadModeCases =>
        from order in new[] { SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random }
        from codec in new[] { CodecKind.None, CodecKind.Lz4 }
        from directIo in new[] { false, true }
        select new object[] { order, codec, directIo };

    public static IEnumerable<object[]> DirectShardChangeCases =>
        from order in new[] { SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random }
        from codec in new[] { CodecKind.None, CodecKind.Lz4 }
        from change in new[] { ShardChange.Truncate, ShardChange.Rewrite }
        from directIo in new[] { false, true }
        select new object[] { order, codec, change, directIo };

    [TestMethod]
    [DynamicData(nameof(ReadModeCases))]
    public void NextBatch_DirectReadMode_DeliversTheBatchesOfMappedMode(SampleOrder order, CodecKind codec, bool directIo)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, MixedSamples, codec);
        ShardLoaderOptions options = LoaderHarness.Options(order, CoverageBatch) with { Epochs = 2, WorldSize = 2, Rank = 1 };
        List<BatchRecord> mapped;
        using (ShardDataset ds = ShardDataset.Open(path, ReadOptions(ShardReadMode.Mapped, directIo: false)))
        {
            Assert.AreEqual(ShardReadMode.Mapped, ds.ReadMode);
            mapped = LoaderHarness.Run(ds, options);
        }

        using ShardDataset direct = ShardDataset.Open(path, ReadOptions(ShardReadMode.Direct, directIo));
        Assert.AreEqual(ShardReadMode.Direct, direct.ReadMode);
        LoaderHarness.AssertSameBatches(mapped, LoaderHarness.Run(direct, options), $"direct reads{(directIo ? " with O_DIRECT" : string.Empty)}");
    }

    [TestMethod]
    [DynamicData(nameof(DirectShardChangeCases))]
    public void NextBatch_DirectReadModeShardsChangedWhileLoading_ThrowsInvalidDataAfterIntactBatches(SampleOrder order, CodecKind codec, ShardChange change, bool directIo) =>
        AssertShardChangesFailAfterIntactBatches(ReadOptions(ShardReadMode.Direct, directIo, ChecksumPolicy.FirstTouch), order, codec, change);

    [TestMethod]
    public void Create_ZeroCopyOverDirectReadMode_ThrowsArgumentNamingTheMode()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, SmallSamples);
        using ShardDataset ds = ShardDataset.Open(path, ReadOptions(ShardReadMode.Direct, directIo: false));
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(
            () => ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, SmallBatch) with { ZeroCopy = true }).Dispose());
        StringAssert.Contains(e.Message, "ShardReadMode.Direct");
    }

    private static ShardDatasetOptions ReadOptions(ShardReadMode mode, bool directIo, ChecksumPolicy checksums = ChecksumPolicy.Always) => new()
    {
        Codecs = NativeCodecs.Provider,
        Checksums = checksums,
        DecodeBudgetBytes = 64 << 20,
        ReadMode = mode,
        DirectIo = directIo,
    };
}
