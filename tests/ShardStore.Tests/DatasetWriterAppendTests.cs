using ShardStore.Internals.Publishing;
using ShardStore.Tests.Infrastructure;
using IWriterFileSystemAlias = ShardStore.Internals.Publishing.IWriterFileSystem;

namespace ShardStore.Tests;

/// <summary>Appending samples to a dataset as a new manifest generation, and opening older generations.</summary>
[TestClass]
public sealed class DatasetWriterAppendTests
{
    private const long OldSamples = 300;
    private const long NewSamples = 200;

    [TestMethod]
    public void Append_SameSchema_NewSamplesFollowTheOldAsGenerationTwo()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options(shardBytes: 8 << 10));
        string oldFingerprint, identity;
        int oldShards;
        using (ShardDataset old = ShardDataset.Open(path, TestData.ReadOptions()))
        {
            (oldFingerprint, identity, oldShards) = (old.Fingerprint, old.Identity!, old.Shards.Count);
            Assert.AreEqual(1, old.Generation);
            Assert.HasCount(1, old.Generations);
        }

        Append(path, OldSamples, OldSamples + NewSamples);

        TestData.AssertMixedDataset(path, OldSamples + NewSamples);
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(2, ds.Generation);
        Assert.AreEqual(identity, ds.Identity, "an append keeps the identity");
        Assert.HasCount(2, ds.Generations);
        Assert.AreEqual(new DatasetGeneration(1, ds.Generations[0].Created, oldShards, OldSamples, oldFingerprint), ds.Generations[0]);
        Assert.IsNotNull(ds.Generations[0].Created, "the first generation's time is the old manifest's");
        Assert.AreEqual(2, ds.Generations[1].Number);
        Assert.AreEqual(ds.Fingerprint, ds.Generations[1].Fingerprint);
        Assert.AreEqual(OldSamples + NewSamples, ds.Generations[1].SampleCount);
        Assert.AreEqual(ds.Shards.Count, ds.Generations[1].ShardCount);
        Assert.IsTrue(File.Exists(Path.Combine(path, "generations", "1.json")));
    }

    [TestMethod]
    public void Create_FirstGeneration_ManifestHasNoGenerationMembers()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 10, TestData.Options());
        string manifest = File.ReadAllText(Path.Combine(path, "manifest.json"));
        Assert.DoesNotContain("generation", manifest, "a pack writes the manifest as before generations");
    }

    [TestMethod]
    public void Open_OlderGenerationByNumber_SeesExactlyItsSamples()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options(shardBytes: 8 << 10));
        string first = Fingerprint(path, null);
        Append(path, OldSamples, OldSamples + NewSamples);
        Append(path, OldSamples + NewSamples, OldSamples + NewSamples + 50);

        using ShardDataset g1 = ShardDataset.Open(path, TestData.ReadOptions());
        using ShardDataset one = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = TestData.ReadOptions().Codecs, Generation = 1 });
        using ShardDataset two = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = TestData.ReadOptions().Codecs, Generation = 2 });
        Assert.AreEqual(3, g1.Generation);
        Assert.AreEqual(1, one.Generation);
        Assert.AreEqual(OldSamples, one.SampleCount);
        Assert.AreEqual(first, one.Fingerprint, "generation 1 opened later is the dataset as it was");
        Assert.HasCount(1, one.Generations);
        Assert.AreEqual(2, two.Generation);
        Assert.AreEqual(OldSamples + NewSamples, two.SampleCount);
        Assert.AreEqual(g1.Generations[1].Fingerprint, two.Fingerprint);
        Assert.IsEmpty(one.Verify());
        for (long i = 0; i < two.SampleCount; i++)
        {
            using SampleLease s = two.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(3)]
    public void Open_GenerationItDoesNotHave_ThrowsGenerationNotFoundNamingDatasetAndGeneration(int generation)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options());
        Append(path, OldSamples, OldSamples + 10);

        GenerationNotFoundException e = Assert.ThrowsExactly<GenerationNotFoundException>(
            () => ShardDataset.Open(path, new ShardDatasetOptions { Generation = generation }));
        Assert.AreEqual(generation, e.Generation);
        Assert.AreEqual(2, e.NewestGeneration);
        Assert.Contains(Path.GetFullPath(path), e.Message);
        Assert.Contains($"generation {generation} does not exist", e.Message);
    }

    [TestMethod]
    public void Open_OlderGenerationFileChanged_ThrowsInvalidDataNamingIt()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options());
        Append(path, OldSamples, OldSamples + 10);
        string file = Path.Combine(path, "generations", "1.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"creator\"", " \"creator\"", StringComparison.Ordinal));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, new ShardDatasetOptions { Generation = 1 }));
        Assert.Contains(file, e.Message);
        Assert.Contains("fingerprint", e.Message);
        using ShardDataset newest = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(OldSamples + 10, newest.SampleCount, "the newest generation does not read the older file");
    }

    [TestMethod]
    public void Append_OtherSchema_ThrowsArgumentExceptionNamingBothAndChangesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 20, TestData.Options());
        byte[] manifest = File.ReadAllBytes(Path.Combine(path, "manifest.json"));
        var other = new Schema(FieldSpec.Fixed("x", DType.F32, 4, 3));

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => DatasetWriter.Append(path, other, TestData.Options()));
        Assert.Contains("tokens i32 variable", e.Message);
        Assert.Contains("(x f32 [4, 3])", e.Message);
        Assert.Contains(Path.GetFullPath(path), e.Message);
        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(Path.Combine(path, "manifest.json")));
        Assert.HasCount(1, Directory.GetDirectories(dir.Path, "*", SearchOption.TopDirectoryOnly), "no staging directory is left");
    }

    [TestMethod]
    public void Append_NoDataset_ThrowsDirectoryNotFound()
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => DatasetWriter.Append(dir.Combine("none"), TestData.MixedSchema, TestData.Options()));
    }

    [TestMethod]
    public void Append_WhileAnotherAppends_ThrowsIOException()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 20, TestData.Options());
        using (DatasetWriter first = DatasetWriter.Append(path, TestData.MixedSchema, TestData.Options()))
        {
            IOException e = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Append(path, TestData.MixedSchema, TestData.Options()));
            Assert.Contains("Another writer is appending", e.Message);
        }

        Append(path, 20, 30);
        TestData.AssertMixedDataset(path, 30);
    }

    [TestMethod]
    public void Append_WhileDatasetIsOpenOnTheOldGeneration_OldReaderKeepsReadingExactlyIt()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options(shardBytes: 8 << 10));
        using ShardDataset old = ShardDataset.Open(path, new ShardDatasetOptions { MaxMappedShards = 1 });

        Append(path, OldSamples, OldSamples + NewSamples);

        Assert.AreEqual(OldSamples, old.SampleCount);
        Assert.AreEqual(1, old.Generation);
        for (long i = 0; i < old.SampleCount; i++)
        {
            using SampleLease s = old.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }

        Assert.IsEmpty(old.Verify());
    }

    [TestMethod]
    public void Append_FailureAtEveryFileSystemCall_DatasetHoldsOneGenerationWholeAndNextAppendWorks()
    {
        int total;
        using (var dir = new TempDirectory())
        {
            string path = dir.Combine("ds");
            TestData.WriteMixed(path, OldSamples, TestData.Options(shardBytes: 8 << 10));
            var counting = new FaultInjectingFileSystem(0);
            Append(path, OldSamples, OldSamples + NewSamples, counting);
            total = counting.Calls;
        }

        Assert.IsGreaterThan(15, total, "an append makes enough calls for the test to mean something");
        for (int k = 1; k <= total; k++)
        {
            using var dir = new TempDirectory();
            string path = dir.Combine("ds");
            TestData.WriteMixed(path, OldSamples, TestData.Options(shardBytes: 8 << 10));
            var fs = new FaultInjectingFileSystem(k);
            Exception? thrown = null;
            try
            {
                Append(path, OldSamples, OldSamples + NewSamples, fs);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            string context = $"failure at call {k} of {total} ({fs.FailedOperation}):\n{string.Join('\n', fs.Log)}\n{thrown}";
            Assert.IsNotNull(fs.FailedOperation, context);
            using (ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions()))
            {
                Assert.IsTrue(
                    (ds.Generation == 1 && ds.SampleCount == OldSamples) || (ds.Generation == 2 && ds.SampleCount == OldSamples + NewSamples),
                    context + $"\ngeneration {ds.Generation}, {ds.SampleCount} samples");
                Assert.IsTrue(thrown is not null || ds.Generation == 2 || fs.FailedOperation is "delete-file" or "delete-directory", context);
                Assert.IsEmpty(ds.Verify(), context);
            }

            // The next append, with nothing failing, builds on whichever generation is there.
            long held;
            using (ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions()))
            {
                held = ds.SampleCount;
            }

            Append(path, held, held + 7);
            TestData.AssertMixedDataset(path, held + 7);
            Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path).Where(e => !Path.GetFileName(e).EndsWith(".append-lock", StringComparison.Ordinal)), context);
        }
    }

    [TestMethod]
    public void Overwrite_DatasetWithGenerations_ReplacesItWhole()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, OldSamples, TestData.Options());
        Append(path, OldSamples, OldSamples + 10);

        TestData.WriteMixed(path, 40, new DatasetWriterOptions { Overwrite = true, ChunkTargetBytes = 1024, Threads = 2 });

        TestData.AssertMixedDataset(path, 40);
        Assert.IsFalse(Directory.Exists(Path.Combine(path, "generations")));
    }

    private static void Append(string path, long from, long to, FaultInjectingFileSystem? fs = null)
    {
        var options = new DatasetWriterOptions { ChunkTargetBytes = 1024, ShardTargetBytes = 8 << 10, Threads = 2, FileSystem = fs ?? (IWriterFileSystemAlias)PhysicalWriterFileSystem.Instance };
        using DatasetWriter writer = DatasetWriter.Append(path, TestData.MixedSchema, options);
        TestData.WriteMixedSamples(writer, from, to);
        writer.Complete();
        Assert.AreEqual(to - from, writer.SampleCount);
    }

    private static string Fingerprint(string path, int? generation)
    {
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Generation = generation });
        return ds.Fingerprint;
    }
}
