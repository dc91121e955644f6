using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Sources;
using ShardStore.Storage;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// <see cref="ShardDatasetOptions.ReadMode"/>: a dataset read directly (positioned reads, optionally O_DIRECT, nothing
/// mapped) hands out the same chunks as a mapped one, copies instead of mapping, and meets damaged or changed files
/// with the same typed errors.
/// </summary>
[TestClass]
public sealed class ShardDatasetReadModeTests
{
    private const int Samples = 300;

    public static IEnumerable<object[]> DirectCases =>
        from codec in new[] { CodecKind.None, CodecKind.Lz4, CodecKind.Zstd }
        from directIo in new[] { false, true }
        select new object[] { codec, directIo };

    [TestMethod]
    [DynamicData(nameof(DirectCases))]
    public void ReadChunk_DirectMode_ReturnsTheBytesOfMappedModeAsCopies(CodecKind codec, bool directIo)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        using ShardDataset mapped = ShardDataset.Open(path, Options(ShardReadMode.Mapped));
        using ShardDataset direct = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo));
        Assert.AreEqual(ShardReadMode.Direct, direct.ReadMode);
        Assert.IsFalse(direct.IsRemote);
        for (int s = 0; s < mapped.Shards.Count; s++)
        {
            for (int c = 0; c < mapped.GetChunkCount(s); c++)
            {
                using ChunkLease expected = mapped.ReadChunk(s, c);
                using ChunkLease actual = direct.ReadChunk(s, c);
                Assert.IsFalse(actual.IsZeroCopy, "nothing is mapped in direct mode");
                CollectionAssert.AreEqual(expected.RawBytes.ToArray(), actual.RawBytes.ToArray(), $"shard {s} chunk {c}");
            }
        }

        Assert.AreEqual(0, direct.LiveLeases);
        TestData.AssertMixedDataset(path, Samples);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Verify_DirectModeBitFlip_ReportsTheChunk(bool directIo)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.Lz4);
        (int shard, int chunk, ChunkEntry entry) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1);
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, shard), entry.Offset + (entry.StoredSize / 2), 3);

        using ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo));
        IReadOnlyList<InvalidDataException> problems = ds.Verify();
        Assert.HasCount(1, problems);
        ShardCorruptor.AssertLocated(problems[0], ShardCorruptor.ShardFileName(shard), shard, chunk);
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        Assert.Contains("CRC32C mismatch", e.Message);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ReadChunk_DirectModeShardTruncatedAfterOpen_ThrowsNamingShardAndChunk(bool directIo)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.None);
        using ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo));
        int last = ds.GetChunkCount(0) - 1;
        ShardCorruptor.Truncate(ShardCorruptor.ShardPath(path, 0), ds.GetEntry(0, last).Offset + 10);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, last));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, last);
        Assert.Contains("truncated while in use", e.Message);
    }

    [TestMethod]
    public void ReadChunk_DirectIo_ReadsThroughAnODirectHandle()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.Lz4);
        using (Microsoft.Win32.SafeHandles.SafeFileHandle? probe = DirectShard.TryOpenDirect(ShardCorruptor.ShardPath(path, 0)))
        {
            if (probe is null)
            {
                Assert.Inconclusive("this platform or the temporary directory's file system refuses O_DIRECT, so reads fall back to the page cache");
            }
        }

        using ShardDataset ds = ShardDataset.Open(path, Options(ShardReadMode.Direct, directIo: true));
        OpenShard open = ds.AcquireFile(0);
        try
        {
            Assert.IsTrue(open is DirectShard { IsDirectIo: true }, $"shard 0 is read through {open.GetType().Name}");
        }
        finally
        {
            open.Release();
        }

        using ChunkLease lease = ds.ReadChunk(0, 1);
        Assert.AreEqual(ds.GetEntry(0, 1).RawSize, lease.RawBytes.Length);
    }

    [TestMethod]
    public void Open_AutoModeSmallDataset_Maps()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(Write(dir, CodecKind.None), Options(ShardReadMode.Auto));
        Assert.AreEqual(ShardReadMode.Mapped, ds.ReadMode, "a dataset far below a quarter of memory stays mapped");
        using ChunkLease lease = ds.ReadChunk(0, 0);
        Assert.IsTrue(lease.IsZeroCopy);
    }

    [TestMethod]
    public void Open_DirectModeBudgetBelowLargestUncompressedChunk_ThrowsArgument()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.None);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardDataset.Open(path, new ShardDatasetOptions
        {
            Codecs = NativeCodecs.Provider,
            ReadMode = ShardReadMode.Direct,
            DecodeBudgetBytes = 100,
        }));
        Assert.Contains("DecodeBudgetBytes", e.Message);

        // Mapped, uncompressed chunks take nothing from the budget.
        using ShardDataset mapped = ShardDataset.Open(path, new ShardDatasetOptions { ReadMode = ShardReadMode.Mapped, DecodeBudgetBytes = 100 });
        Assert.AreEqual(ShardReadMode.Mapped, mapped.ReadMode);
    }

    [TestMethod]
    [DataRow("s3://bucket/prefix")]
    [DataRow("gs://bucket/prefix")]
    public void Open_UriWithoutObjectStorage_ThrowsNotSupportedNamingTheOption(string location)
    {
        NotSupportedException e = Assert.ThrowsExactly<NotSupportedException>(() => ShardDataset.Open(location));
        Assert.Contains("ShardDatasetOptions.ObjectStorage", e.Message);
    }

    private static string Write(TempDirectory dir, CodecKind codec)
    {
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, Samples, TestData.Options(codec));
        return path;
    }

    private static ShardDatasetOptions Options(ShardReadMode mode, bool directIo = false) => new()
    {
        Codecs = NativeCodecs.Provider,
        ReadMode = mode,
        DirectIo = directIo,
    };
}
