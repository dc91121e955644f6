using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// A dataset re-packed, or a shard file swapped, while a <see cref="ShardDataset"/> has it open: a shard
/// re-opened after eviction must be the file that was validated at open, or the read fails.
/// </summary>
[TestClass]
public sealed class ShardDatasetReplacedTests
{
    private const int Samples = 2000;

    [TestMethod]
    [DataRow(ChecksumPolicy.FirstTouch)]
    [DataRow(ChecksumPolicy.Always)]
    public void ReadSample_EvictedShardRepackedWhileOpen_ThrowsReplacedWhileOpen(ChecksumPolicy checksums)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        WriteValues(path, offset: 0, overwrite: false);
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { MaxMappedShards = 1, Checksums = checksums });
        Assert.IsGreaterThan(2, ds.Shards.Count);
        using (SampleLease s = ds.ReadSample(0))
        {
            Assert.AreEqual(0L, s.Get<long>(0)[0]);
        }

        // Reading the last shard evicts shard 0; then the same directory is re-packed with other values of the same size.
        using (ds.ReadSample(ds.SampleCount - 1))
        {
        }

        WriteValues(path, offset: 1_000_000, overwrite: true);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadSample(0));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("replaced or modified while it was open", e.Message);
    }

    [TestMethod]
    public void ReadSample_EvictedShardRewrittenInPlace_ThrowsReplacedWhileOpen()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        WriteValues(path, offset: 0, overwrite: false);
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { MaxMappedShards = 1, Checksums = ChecksumPolicy.FirstTouch });
        using (ds.ReadSample(0))
        {
        }

        using (ds.ReadSample(ds.SampleCount - 1))
        {
        }

        // Same bytes, same inode, same size: only the modification time says the file was written again.
        string shard = ShardCorruptor.ShardPath(path, 0);
        File.SetLastWriteTimeUtc(shard, File.GetLastWriteTimeUtc(shard).AddSeconds(5));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadSample(0));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("replaced or modified while it was open", e.Message);
    }

    [TestMethod]
    public void ReadSample_EvictedShardReopenedUnchanged_ReadsIt()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        WriteValues(path, offset: 0, overwrite: false);
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { MaxMappedShards = 1 });
        for (int round = 0; round < 3; round++)
        {
            foreach (long i in (long[])[0, ds.SampleCount - 1, ds.SampleCount / 2])
            {
                using SampleLease s = ds.ReadSample(i);
                Assert.AreEqual(i, s.Get<long>(0)[0]);
            }
        }
    }

    /// <summary>Samples <c>v = i + offset</c>: the same file sizes for every offset, so only the identity checks can tell two packs apart.</summary>
    internal static void WriteValues(string path, long offset, bool overwrite, string? identity = null)
    {
        var schema = new Schema(FieldSpec.Fixed("v", DType.I64));
        var options = new DatasetWriterOptions { ChunkTargetBytes = 1024, ShardTargetBytes = 4096 + 3000, Overwrite = overwrite, Identity = identity };
        using DatasetWriter w = DatasetWriter.Create(path, schema, options);
        for (long i = 0; i < Samples; i++)
        {
            w.WriteScalar(0, i + offset);
            w.EndSample();
        }

        w.Complete();
    }
}
