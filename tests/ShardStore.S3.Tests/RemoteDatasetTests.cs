using ShardStore.Compression;
using ShardStore.S3.Tests.Infrastructure;
using ShardStore.Storage;

namespace ShardStore.S3.Tests;

/// <summary><see cref="ShardDataset"/> opened at an <c>s3://</c> location of a moto server, compared with the same dataset on disk.</summary>
[TestClass]
public sealed partial class RemoteDatasetTests
{
    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public async Task Open_EveryDTypeAndCodec_DescribesTheDatasetAsOnDisk(CodecKind codec)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteAllDTypes(path, codec));
        using var local = s3.OpenLocal();

        using var remote = s3.OpenRemote();

        Assert.AreEqual(s3.Location, remote.Directory);
        Assert.IsTrue(remote.IsRemote, "IsRemote");
        Assert.IsFalse(local.IsRemote, "IsRemote on disk");
        Assert.AreEqual(ShardReadMode.Direct, remote.ReadMode);
        Assert.AreEqual(local.Fingerprint, remote.Fingerprint, "fingerprint");
        Assert.IsNotNull(remote.Identity, "identity");
        Assert.AreEqual(local.Identity, remote.Identity, "identity");
        Assert.AreEqual(local.Schema, remote.Schema, "schema");
        Assert.AreEqual(local.SampleCount, remote.SampleCount, "samples");
        Assert.AreEqual(local.ChunkCount, remote.ChunkCount, "chunks");
        Assert.AreEqual(codec, remote.Codec, "codec");
        Assert.AreEqual(local.Creator, remote.Creator, "creator");
        CollectionAssert.AreEquivalent(local.Metadata.ToArray(), remote.Metadata.ToArray(), "metadata");
        CollectionAssert.AreEqual(local.Shards.ToArray(), remote.Shards.ToArray(), "shards");
        Assert.IsGreaterThan(3, remote.Shards.Count, "the dataset has several shards");
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public async Task ReadChunk_EveryDTypeAndCodec_ReturnsTheChunksOnDisk(CodecKind codec)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteAllDTypes(path, codec));
        using var local = s3.OpenLocal();
        using var remote = s3.OpenRemote();

        var compressed = 0;
        for (var s = 0; s < local.Shards.Count; s++)
        {
            Assert.AreEqual(local.GetChunkCount(s), remote.GetChunkCount(s), $"chunks of shard {s}");
            for (var c = 0; c < local.GetChunkCount(s); c++)
            {
                using var expected = local.ReadChunk(s, c);
                using var actual = remote.ReadChunk(s, c);
                Assert.AreEqual(expected.FirstSample, actual.FirstSample, $"shard {s} chunk {c}: first sample");
                Assert.AreEqual(expected.SampleCount, actual.SampleCount, $"shard {s} chunk {c}: samples");
                Assert.AreEqual(expected.StoredCodec, actual.StoredCodec, $"shard {s} chunk {c}: codec");
                Assert.IsFalse(actual.IsZeroCopy, "a remote chunk is copied into memory the reader owns");
                CollectionAssert.AreEqual(expected.RawBytes.ToArray(), actual.RawBytes.ToArray(), $"shard {s} chunk {c}: bytes");
                compressed += actual.StoredCodec == CodecKind.None ? 0 : 1;
            }
        }

        Assert.AreEqual(0L, remote.LiveLeases, "leases after every chunk was disposed");
        if (codec != CodecKind.None)
        {
            Assert.IsGreaterThan(0, compressed, "some chunks are stored compressed");
        }
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public async Task ReadSample_EveryDTypeAndCodec_ReturnsEveryFieldOfEverySampleAsWritten(CodecKind codec)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteAllDTypes(path, codec));
        using var local = s3.OpenLocal();
        using var remote = s3.OpenRemote();

        for (long i = 0; i < remote.SampleCount; i++)
        {
            using var expected = local.ReadSample(i);
            using var actual = remote.ReadSample(i);
            for (var f = 0; f < remote.Schema.Count; f++)
            {
                var bytes = TestDatasets.FieldBytes(actual, remote.Schema, f);
                CollectionAssert.AreEqual(TestDatasets.FieldBytes(expected, local.Schema, f), bytes, $"sample {i} field {remote.Schema[f].Name}: remote vs disk");
                CollectionAssert.AreEqual(TestDatasets.AllDTypesValue(i, f), bytes, $"sample {i} field {remote.Schema[f].Name}: remote vs written");
            }
        }

        Assert.AreEqual(0L, remote.LiveLeases, "leases after every sample was disposed");
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public async Task Verify_IntactRemoteDataset_FindsNothing(CodecKind codec)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteAllDTypes(path, codec));
        using var remote = s3.OpenRemote();

        var problems = remote.Verify();

        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems.Select(p => p.Message)));
        Assert.AreEqual(0L, remote.LiveLeases, "leases after Verify");
    }
}
