using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>A writer that fails or is abandoned half way publishes nothing and leaves no partial directory behind.</summary>
[TestClass]
public sealed class DatasetWriterFailureTests
{
    private const int Samples = 300;

    [TestMethod]
    public void Dispose_WithoutComplete_PublishesNothingAndRemovesPartialDirectory()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions()))
        {
            TestData.WriteMixedSamples(writer, 0, Samples);

            // The staged shards exist (so the test exercises their removal), but nothing is at the target.
            string partial = Assert.ContainsSingle(PartialDirectories(dir.Path, "ds"));
            Assert.IsNotEmpty(Directory.GetFiles(partial, "shard-*"));
            Assert.IsFalse(Directory.Exists(target));
        }

        AssertNothingPublished(dir.Path, "ds");
    }

    [TestMethod]
    public void Dispose_WithoutAnySample_PublishesNothingAndRemovesPartialDirectory()
    {
        using var dir = new TempDirectory();
        using (DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions()))
        {
            Assert.AreEqual(0, writer.SampleCount);
        }

        AssertNothingPublished(dir.Path, "ds");
    }

    [TestMethod]
    public void Dispose_WithSampleHalfWritten_PublishesNothing()
    {
        using var dir = new TempDirectory();
        using (DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions()))
        {
            TestData.WriteMixedSamples(writer, 0, 50);
            writer.Write<float>(0, TestData.Features(50));
            Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
        }

        AssertNothingPublished(dir.Path, "ds");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(3)]
    [DataRow(12)]
    public void EndSampleOrComplete_CodecThrows_SurfacesIOExceptionAndPublishesNothing(int succeed)
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        var codec = new FailingCodec(succeed);
        DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions(CodecKind.Lz4, codec));
        try
        {
            // The failure surfaces from EndSample (when the failed chunk is collected) or at the latest from Complete.
            IOException e = Assert.ThrowsExactly<IOException>(() =>
            {
                TestData.WriteMixedSamples(writer, 0, Samples);
                writer.Complete();
            });
            Assert.Contains("injected failure", e.Message);
            Assert.IsGreaterThan(succeed, codec.Encodes);

            // The writer is faulted: it refuses everything but Dispose.
            Assert.ThrowsExactly<InvalidOperationException>(() => writer.Write<float>(0, TestData.Features(0)));
            Assert.ThrowsExactly<InvalidOperationException>(() => writer.WriteScalar(1, 0L));
            Assert.ThrowsExactly<InvalidOperationException>(writer.EndSample);
            InvalidOperationException refused = Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
            Assert.AreSame(e, refused.InnerException, "the refusal carries the original failure");
            Assert.IsFalse(Directory.Exists(target));
            Assert.ContainsSingle(PartialDirectories(dir.Path, "ds"));
        }
        finally
        {
            writer.Dispose();
        }

        AssertNothingPublished(dir.Path, "ds");
        writer.Dispose(); // twice is harmless
        Assert.ThrowsExactly<ObjectDisposedException>(writer.EndSample);
    }

    [TestMethod]
    public void Create_TargetExistsAndNotEmptyWithoutOverwrite_ThrowsIOExceptionAndKeepsContent()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 100, SmallOptions());
        byte[] manifest = File.ReadAllBytes(ShardCorruptor.ManifestPath(target));

        Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions()));

        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(ShardCorruptor.ManifestPath(target)));
        AssertDatasetHolds(target, 100);
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    public void Create_TargetExistsWithStrayFileWithoutOverwrite_ThrowsIOException()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");

        Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions()));

        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
    }

    [TestMethod]
    public void Create_TargetIsFile_ThrowsIOException()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        File.WriteAllText(target, "not a directory");

        Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions(overwrite: true)));

        Assert.AreEqual("not a directory", File.ReadAllText(target));
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    public void Complete_TargetExistsAndEmpty_Publishes()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        Directory.CreateDirectory(target);

        TestData.WriteMixed(target, 100, SmallOptions());

        AssertDatasetHolds(target, 100);
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    public void Complete_TargetFilledMeanwhileWithoutOverwrite_ThrowsIOExceptionAndPublishesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions()))
        {
            TestData.WriteMixedSamples(writer, 0, 50);
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "notes.txt"), "someone else's");

            Assert.ThrowsExactly<IOException>(writer.Complete);
            Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
        }

        Assert.AreEqual("someone else's", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.HasCount(1, Directory.GetFileSystemEntries(target));
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    public void Complete_Overwrite_ReplacesOldDatasetOnlyAfterComplete()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 100, SmallOptions());

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions(overwrite: true)))
        {
            TestData.WriteMixedSamples(writer, 0, 40);

            // Before Complete the old dataset is still there, whole and readable.
            AssertDatasetHolds(target, 100);

            writer.Complete();
        }

        AssertDatasetHolds(target, 40);
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
        Assert.IsEmpty(Directory.GetDirectories(dir.Path, ".ds.old-*"));
    }

    [TestMethod]
    public void Dispose_OverwriteWithoutComplete_KeepsOldDataset()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 100, SmallOptions());
        byte[] manifest = File.ReadAllBytes(ShardCorruptor.ManifestPath(target));

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions(overwrite: true)))
        {
            TestData.WriteMixedSamples(writer, 0, 250);
        }

        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(ShardCorruptor.ManifestPath(target)));
        AssertDatasetHolds(target, 100);
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    public void Complete_OverwriteAfterCodecFailure_KeepsOldDataset()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 100, SmallOptions());

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions(CodecKind.Lz4, new FailingCodec(2), overwrite: true)))
        {
            Assert.ThrowsExactly<IOException>(() =>
            {
                TestData.WriteMixedSamples(writer, 0, Samples);
                writer.Complete();
            });
        }

        AssertDatasetHolds(target, 100);
        Assert.IsEmpty(PartialDirectories(dir.Path, "ds"));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    public void EndSample_FieldMissing_ThrowsInvalidOperation(int missing)
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());
        TestData.WriteMixedSamples(writer, 0, 5);
        if (missing != 0)
        {
            writer.Write<float>(0, TestData.Features(5));
        }

        if (missing != 1)
        {
            writer.WriteScalar(1, 15L);
        }

        if (missing != 2)
        {
            writer.Write<int>(2, TestData.Tokens(5));
        }

        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(writer.EndSample);
        Assert.Contains($"'{TestData.MixedSchema[missing].Name}'", e.Message);
        Assert.AreEqual(5, writer.SampleCount);
    }

    [TestMethod]
    public void EndSample_NoFieldWritten_ThrowsInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());

        Assert.ThrowsExactly<InvalidOperationException>(writer.EndSample);
        Assert.AreEqual(0, writer.SampleCount);
    }

    [TestMethod]
    public void Write_FixedFieldWrongElementCount_ThrowsArgument()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());

        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<float>(0, new float[11]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<float>(0, new float[13]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<float>(0, ReadOnlySpan<float>.Empty));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<long>(1, new long[2]));
    }

    [TestMethod]
    public void Write_IncompatibleElementType_ThrowsArgument()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());

        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<double>(0, new double[12]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<int>(0, new int[12]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.WriteScalar(1, 3.0));
        Assert.ThrowsExactly<ArgumentException>(() => writer.WriteScalar(1, 3UL));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<long>(2, new long[3]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<uint>(2, new uint[3]));
    }

    [TestMethod]
    public void Write_VariableFieldPartialElement_ThrowsArgument()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());

        // Raw bytes are accepted for any dtype, but only whole elements: i32 takes a multiple of 4 bytes.
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write<byte>(2, new byte[7]));
    }

    [TestMethod]
    public void Write_RejectedValue_LeavesSampleWritable()
    {
        // A rejected Write changes nothing: the sample can still be completed and the dataset is exact.
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, SmallOptions()))
        {
            TestData.WriteMixedSamples(writer, 0, 10);
            Assert.ThrowsExactly<ArgumentException>(() => writer.Write<float>(0, new float[11]));
            Assert.ThrowsExactly<ArgumentException>(() => writer.Write<double>(0, new double[12]));
            Assert.ThrowsExactly<InvalidOperationException>(writer.EndSample);
            TestData.WriteMixedSamples(writer, 10, 30);
            writer.Complete();
        }

        AssertDatasetHolds(target, 30);
    }

    [TestMethod]
    public void Write_FieldTwiceInOneSample_ThrowsInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());
        writer.Write<int>(2, TestData.Tokens(3));

        Assert.ThrowsExactly<InvalidOperationException>(() => writer.Write<int>(2, TestData.Tokens(3)));
    }

    [TestMethod]
    public void Write_AfterComplete_ThrowsInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, SmallOptions());
        TestData.WriteMixedSamples(writer, 0, 10);
        writer.Complete();

        Assert.ThrowsExactly<InvalidOperationException>(() => writer.Write<float>(0, TestData.Features(10)));
        Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
    }

    // -------- Helpers --------

    private static DatasetWriterOptions SmallOptions(CodecKind codec = CodecKind.None, IChunkCodecProvider? codecs = null, bool overwrite = false) => new()
    {
        Codec = codec,
        Codecs = codecs ?? NativeCodecs.Provider,
        ChunkTargetBytes = 1024,
        ShardTargetBytes = 16 << 10,
        Threads = 2,
        Overwrite = overwrite,
    };

    private static string[] PartialDirectories(string parent, string name) => Directory.GetDirectories(parent, $".{name}.partial-*");

    private static void AssertNothingPublished(string parent, string name)
    {
        Assert.IsFalse(Directory.Exists(Path.Combine(parent, name)), "nothing at the target");
        Assert.IsEmpty(PartialDirectories(parent, name), "no partial directory left");
        Assert.IsEmpty(Directory.GetFileSystemEntries(parent), "the parent holds nothing");
    }

    private static void AssertDatasetHolds(string target, long count)
    {
        Assert.IsTrue(File.Exists(Path.Combine(target, FormatConstants.ManifestFileName)));
        TestData.AssertMixedDataset(target, count);
    }
}
