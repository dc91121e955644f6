using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>A dataset written through a publisher: each shard uploaded once finished, the manifest put last, nothing left after a failure.</summary>
[TestClass]
public sealed class DatasetWriterPublisherTests
{
    private const string Identity = "00112233445566778899aabbccddeeff";

    [TestMethod]
    public void Complete_ThroughPublisher_ShardsIdenticalToLocalWriteAndManifestLast()
    {
        using var dir = new TempDirectory();
        using var staging = new TempDirectory();
        using var publisher = new MemoryPublisher();
        TestData.WriteMixed(dir.Combine("local"), 3000, TestData.Options(identity: Identity));

        using (DatasetWriter writer = DatasetWriter.Create(publisher, TestData.MixedSchema, Options(staging: staging.Path, identity: Identity)))
        {
            TestData.WriteMixedSamples(writer, 0, 3000);
            writer.Complete();
            Assert.AreEqual(publisher.Location, writer.TargetDirectory);
        }

        IReadOnlyList<string> calls = publisher.Calls;
        Assert.AreEqual("put manifest.json", calls[^1]);
        Assert.IsTrue(calls.Take(calls.Count - 1).All(c => c.StartsWith("upload shard-", StringComparison.Ordinal)), string.Join(" | ", calls));
        Assert.IsEmpty(Directory.GetFileSystemEntries(staging.Path), "the staging directory is removed");
        publisher.Download(Directory.CreateDirectory(dir.Combine("remote")).FullName);
        TestData.AssertMixedDataset(dir.Combine("remote"), 3000);
        using ShardDataset local = ShardDataset.Open(dir.Combine("local"), TestData.ReadOptions());
        using ShardDataset remote = ShardDataset.Open(dir.Combine("remote"), TestData.ReadOptions());
        Assert.IsGreaterThan(5, remote.Shards.Count);
        Assert.HasCount(local.Shards.Count, remote.Shards);
        for (int i = 0; i < local.Shards.Count; i++)
        {
            Assert.AreEqual(FormatConstants.ShardFileName(i), local.Shards[i].FileName);
            Assert.AreEqual($"shard-{i:D5}-{Identity}.shard", remote.Shards[i].FileName);
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.Combine("local"), local.Shards[i].FileName)), publisher.Objects[remote.Shards[i].FileName]);
        }
    }

    [TestMethod]
    public void Complete_SlowUploads_StagesAtMostFiveShards()
    {
        using var publisher = new MemoryPublisher { UploadDelay = TimeSpan.FromMilliseconds(20) };

        using (DatasetWriter writer = DatasetWriter.Create(publisher, TestData.MixedSchema, Options(shardBytes: 16 << 10)))
        {
            TestData.WriteMixedSamples(writer, 0, 4000);
            writer.Complete();
        }

        Assert.IsGreaterThan(10, publisher.Calls.Count(c => c.StartsWith("upload ", StringComparison.Ordinal)));
        Assert.IsLessThanOrEqualTo(5, publisher.MaxStagedFiles);
    }

    [TestMethod]
    public void Complete_ShardUploadFails_ThrowsAndLeavesNoObject()
    {
        using var staging = new TempDirectory();
        using var publisher = new MemoryPublisher { FailWhen = c => c.StartsWith("upload shard-00003", StringComparison.Ordinal) };

        IOException e = Assert.ThrowsExactly<IOException>(() =>
        {
            using DatasetWriter writer = DatasetWriter.Create(publisher, TestData.MixedSchema, Options(staging: staging.Path));
            TestData.WriteMixedSamples(writer, 0, 3000);
            writer.Complete();
        });

        Assert.Contains("shard-00003", e.Message);
        Assert.IsEmpty(publisher.Objects, string.Join(" | ", publisher.Calls));
        Assert.IsEmpty(Directory.GetFileSystemEntries(staging.Path));
    }

    [TestMethod]
    public void Complete_ManifestPutFails_ThrowsAndLeavesNoObject()
    {
        using var publisher = new MemoryPublisher { FailWhen = c => c == "put manifest.json" };
        using DatasetWriter writer = DatasetWriter.Create(publisher, TestData.MixedSchema, Options());
        TestData.WriteMixedSamples(writer, 0, 3000);

        Assert.ThrowsExactly<IOException>(writer.Complete);
        writer.Dispose();

        Assert.IsNotEmpty(publisher.Calls.Where(c => c.StartsWith("upload ", StringComparison.Ordinal)));
        Assert.IsEmpty(publisher.Objects, string.Join(" | ", publisher.Calls));
    }

    [TestMethod]
    public void Complete_Cancelled_ThrowsAndLeavesNoObject()
    {
        using var publisher = new MemoryPublisher { UploadDelay = TimeSpan.FromMilliseconds(50) };
        using var cancel = new CancellationTokenSource();
        using DatasetWriter writer = DatasetWriter.Create(publisher, TestData.MixedSchema, Options());
        TestData.WriteMixedSamples(writer, 0, 3000);
        cancel.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => writer.Complete(cancel.Token));

        Assert.IsEmpty(publisher.Objects, string.Join(" | ", publisher.Calls));
    }

    [TestMethod]
    public void Create_PublisherHoldsOtherObjects_ThrowsNamingThem()
    {
        using var publisher = new MemoryPublisher();
        publisher.PutAsync("notes.txt", new byte[] { 1 }).GetAwaiter().GetResult();

        IOException plain = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(publisher, TestData.MixedSchema, Options()));
        IOException overwrite = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(publisher, TestData.MixedSchema, Options(overwrite: true)));

        Assert.Contains("notes.txt", plain.Message);
        Assert.Contains("not part of its dataset", overwrite.Message);
        CollectionAssert.AreEqual(new[] { "notes.txt" }, publisher.Objects.Keys.ToArray());
    }

    private static DatasetWriterOptions Options(string? staging = null, string? identity = null, bool overwrite = false, long shardBytes = 64 << 10)
    {
        DatasetWriterOptions o = TestData.Options(shardBytes: shardBytes, identity: identity);
        return new DatasetWriterOptions
        {
            Identity = o.Identity,
            Codec = o.Codec,
            Codecs = o.Codecs,
            ChunkTargetBytes = o.ChunkTargetBytes,
            ShardTargetBytes = o.ShardTargetBytes,
            Threads = o.Threads,
            UploadStagingDirectory = staging,
            Overwrite = overwrite,
        };
    }
}
