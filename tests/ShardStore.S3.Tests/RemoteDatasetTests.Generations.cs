using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteDatasetTests
{
    [TestMethod]
    public async Task Open_OlderGenerationInObjectStorage_ReadsItsOwnManifestAndSamples()
    {
        using var s3 = await RemoteDataset.CreateAsync(path =>
        {
            TestDatasets.WriteMixed(path, 200);
            using var writer = DatasetWriter.Append(path, TestDatasets.Mixed, new DatasetWriterOptions { ChunkTargetBytes = 1 << 10, ShardTargetBytes = 24 << 10 });
            for (long s = 200; s < 300; s++)
            {
                writer.Write<float>(0, [.. Enumerable.Range(0, 12).Select(k => (s * 12) + k + 0.5f)]);
                writer.WriteScalar(1, s * 3);
                writer.Write<int>(2, [.. Enumerable.Range(0, (int)(s % 7)).Select(k => (int)(s * 100) + k)]);
                writer.EndSample();
            }

            writer.Complete();
        });
        ShardDatasetOptions remote = s3.RemoteOptions();
        using var local = ShardDataset.Open(s3.LocalPath, new ShardDatasetOptions { Codecs = remote.Codecs, Generation = 1 });

        using var newest = s3.OpenRemote();
        using var first = ShardDataset.Open(s3.Location, new ShardDatasetOptions { Codecs = remote.Codecs, ObjectStorage = remote.ObjectStorage, Generation = 1 });

        Assert.AreEqual(2, newest.Generation);
        Assert.AreEqual(300L, newest.SampleCount);
        Assert.AreEqual(1, first.Generation);
        Assert.AreEqual(200L, first.SampleCount);
        Assert.AreEqual(local.Fingerprint, first.Fingerprint);
        Assert.AreEqual(newest.Generations[0], first.Generations[0]);
        for (long i = 0; i < first.SampleCount; i += 17)
        {
            using SampleLease expected = local.ReadSample(i);
            using SampleLease actual = first.ReadSample(i);
            CollectionAssert.AreEqual(expected.Get<float>(0).ToArray(), actual.Get<float>(0).ToArray(), $"sample {i}");
        }

        GenerationNotFoundException e = Assert.ThrowsExactly<GenerationNotFoundException>(
            () => ShardDataset.Open(s3.Location, new ShardDatasetOptions { Codecs = remote.Codecs, ObjectStorage = remote.ObjectStorage, Generation = 3 }));
        Assert.Contains(s3.Location, e.Message);
    }
}
