using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Overwrite replaces a ShardStore dataset and nothing else: any other content of the target is refused and kept.</summary>
[TestClass]
public sealed class DatasetWriterOverwriteTests
{
    [TestMethod]
    public void Create_OverwriteFolderWithoutManifest_ThrowsIOExceptionAndDeletesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("p");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "keep");
        File.WriteAllBytes(Path.Combine(target, "y.npy"), [1, 2, 3]);

        IOException e = Assert.ThrowsExactly<IOException>(() => PackSmall(target, 10));

        Assert.Contains("notes.txt", e.Message);
        Assert.Contains("y.npy", e.Message);
        Assert.AreEqual("keep", File.ReadAllText(Path.Combine(target, "notes.txt")));
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(target, "y.npy")));
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path), "no staging directory left beside the target");
    }

    [TestMethod]
    public void Create_OverwriteFolderWhoseManifestIsFifo_ThrowsIOExceptionWithoutBlocking()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("p");
        Directory.CreateDirectory(target);
        ShardDatasetSpecialFileTests.MakeFifo(Path.Combine(target, FormatConstants.ManifestFileName));

        Task<IOException> refused = Task.Run(() => Assert.ThrowsExactly<IOException>(() => PackSmall(target, 10)));

        Assert.IsTrue(refused.Wait(TimeSpan.FromSeconds(30)), "the check of the target blocked on the FIFO");
        Assert.Contains("FIFO", refused.Result.Message);
        Assert.IsTrue(File.Exists(Path.Combine(target, FormatConstants.ManifestFileName)), "the FIFO is kept");
    }

    [TestMethod]
    public void Create_OverwriteFolderWithInvalidManifest_ThrowsIOExceptionAndDeletesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("p");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, FormatConstants.ManifestFileName), "{ \"not\": \"a manifest\" }");
        File.WriteAllText(Path.Combine(target, "shard-00000.shard"), "mine");

        IOException e = Assert.ThrowsExactly<IOException>(() => PackSmall(target, 10));

        Assert.Contains(FormatConstants.ManifestFileName, e.Message);
        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(target, "shard-00000.shard")));
        Assert.HasCount(2, Directory.GetFileSystemEntries(target));
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Create_OverwriteDatasetWithStrayFile_ThrowsIOExceptionNamingItAndKeepsDataset()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        PackSmall(target, 50, overwrite: false);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "keep");
        Directory.CreateDirectory(Path.Combine(target, "plots"));

        IOException e = Assert.ThrowsExactly<IOException>(() => PackSmall(target, 10));

        Assert.Contains("notes.txt", e.Message);
        Assert.Contains("plots", e.Message);
        Assert.AreEqual("keep", File.ReadAllText(Path.Combine(target, "notes.txt")));
        TestData.AssertMixedDataset(target, 50);
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Complete_OverwriteDatasetGainedStrayFileMeanwhile_ThrowsIOExceptionAndKeepsBoth()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        PackSmall(target, 50, overwrite: false);

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, Options(overwrite: true)))
        {
            TestData.WriteMixedSamples(writer, 0, 10);
            File.WriteAllText(Path.Combine(target, "notes.txt"), "keep");

            IOException e = Assert.ThrowsExactly<IOException>(writer.Complete);
            Assert.Contains("notes.txt", e.Message);
        }

        Assert.AreEqual("keep", File.ReadAllText(Path.Combine(target, "notes.txt")));
        TestData.AssertMixedDataset(target, 50);
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Complete_OverwriteDataset_ReplacesItAndLeavesNothingBeside()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        PackSmall(target, 50, overwrite: false);
        Assert.IsGreaterThan(1, Directory.GetFiles(target, "shard-*").Length, "the old dataset has several shards");

        PackSmall(target, 7);

        TestData.AssertMixedDataset(target, 7);
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Complete_OverwriteEmptyDirectory_Publishes()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        Directory.CreateDirectory(target);

        PackSmall(target, 20);

        TestData.AssertMixedDataset(target, 20);
        Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Create_OverwriteParentOfDataset_ThrowsIOExceptionAndDeletesNothing()
    {
        // The parent of a dataset is not a dataset, however much of one it contains.
        using var dir = new TempDirectory();
        string parent = dir.Combine("work");
        PackSmall(Path.Combine(parent, "ds"), 20, overwrite: false);

        IOException e = Assert.ThrowsExactly<IOException>(() => PackSmall(parent, 10));

        Assert.Contains("ds", e.Message);
        TestData.AssertMixedDataset(Path.Combine(parent, "ds"), 20);
    }

    private static DatasetWriterOptions Options(bool overwrite) => new()
    {
        ChunkTargetBytes = 512,
        ShardTargetBytes = 4 << 10,
        Threads = 2,
        Overwrite = overwrite,
    };

    private static void PackSmall(string target, long count, bool overwrite = true)
    {
        using DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, Options(overwrite));
        TestData.WriteMixedSamples(writer, 0, count);
        writer.Complete();
    }
}
