using System.Runtime.InteropServices;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Filling runs of samples in place with ReserveSamples gives the files that writing them one by one gives.</summary>
[TestClass]
public sealed class DatasetWriterReserveTests
{
    private static readonly Schema s_fixedSchema = new(FieldSpec.Fixed("x", DType.F32, 5), FieldSpec.Fixed("label", DType.I64));

    [TestMethod]
    [DataRow(CodecKind.None, 1)]
    [DataRow(CodecKind.None, 1000)]
    [DataRow(CodecKind.Lz4, 100)]
    [DataRow(CodecKind.Lz4, 4096)]
    [DataRow(CodecKind.Zstd, 4096)]
    public void ReserveSamples_RandomRuns_SameFilesAsEndSample(CodecKind codec, int chunkBytes)
    {
        using var dir = new TempDirectory();
        string a = dir.Combine("a"), b = dir.Combine("b");
        const int Samples = 3000;
        DatasetWriterOptions options = TestData.Options(codec, chunkBytes, shardBytes: 24 << 10, identity: "0123456789abcdef0123456789abcdef");
        using (DatasetWriter writer = DatasetWriter.Create(a, s_fixedSchema, options))
        {
            WriteOneByOne(writer, 0, Samples);
            writer.Complete();
        }

        using (DatasetWriter writer = DatasetWriter.Create(b, s_fixedSchema, options))
        {
            WriteRuns(writer, 0, Samples, new Random(chunkBytes));
            Assert.AreEqual(Samples, writer.SampleCount);
            writer.Complete();
        }

        AssertSameFiles(a, b);
        AssertHolds(b, Samples);
    }

    [TestMethod]
    public void ReserveSamples_MixedWithEndSample_SameFilesAsEndSample()
    {
        using var dir = new TempDirectory();
        string a = dir.Combine("a"), b = dir.Combine("b");
        DatasetWriterOptions options = TestData.Options(CodecKind.Lz4, chunkBytes: 2048, shardBytes: 8 << 10, identity: "0123456789abcdef0123456789abcdef");
        using (DatasetWriter writer = DatasetWriter.Create(a, s_fixedSchema, options))
        {
            WriteOneByOne(writer, 0, 1000);
            writer.Complete();
        }

        using (DatasetWriter writer = DatasetWriter.Create(b, s_fixedSchema, options))
        {
            WriteOneByOne(writer, 0, 7);
            WriteRuns(writer, 7, 500, new Random(1));
            WriteOneByOne(writer, 500, 613);
            WriteRuns(writer, 613, 1000, new Random(2));
            writer.Complete();
        }

        AssertSameFiles(a, b);
    }

    [TestMethod]
    public void ReserveSamples_ReturnsBetweenOneAndMax()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options(chunkBytes: 4096));

        Assert.AreEqual(1, writer.ReserveSamples(1));
        Assert.AreEqual(s_fixedSchema[0].BytesPerSample, writer.GetReservedField(0).Length);
        Assert.AreEqual(s_fixedSchema[1].BytesPerSample, writer.GetReservedField(1).Length);
        writer.CommitReservedSamples();

        int run = writer.ReserveSamples(int.MaxValue);
        Assert.IsInRange(1, 4096 / 28, run);
        Assert.AreEqual(run * s_fixedSchema[1].BytesPerSample, writer.GetReservedField(1).Length);
    }

    [TestMethod]
    public void ReserveSamples_VariableField_ThrowsInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, TestData.Options());

        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => writer.ReserveSamples(10));
        Assert.Contains("'tokens'", e.Message);
    }

    [TestMethod]
    public void ReserveSamples_SampleHalfWritten_ThrowsInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options());
        writer.WriteScalar(1, 5L);

        Assert.ThrowsExactly<InvalidOperationException>(() => writer.ReserveSamples(10));
    }

    [TestMethod]
    public void ReserveSamples_LessThanOne_ThrowsArgumentOutOfRange()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options());

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => writer.ReserveSamples(0));
    }

    [TestMethod]
    public void WriteEndSampleCompleteReserve_WhileReserved_ThrowInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options());
        writer.ReserveSamples(3);

        Assert.ThrowsExactly<InvalidOperationException>(() => writer.Write<float>(0, new float[5]));
        Assert.ThrowsExactly<InvalidOperationException>(writer.EndSample);
        Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
        Assert.ThrowsExactly<InvalidOperationException>(() => writer.ReserveSamples(3));
        Assert.AreEqual(0, writer.SampleCount);
    }

    [TestMethod]
    public void GetReservedFieldAndCommit_NothingReserved_ThrowInvalidOperation()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options());

        Assert.ThrowsExactly<InvalidOperationException>(() => writer.GetReservedField(0));
        Assert.ThrowsExactly<InvalidOperationException>(writer.CommitReservedSamples);
        writer.ReserveSamples(2);
        writer.CommitReservedSamples();
        Assert.ThrowsExactly<InvalidOperationException>(writer.CommitReservedSamples);
        Assert.AreEqual(2, writer.SampleCount);
    }

    [TestMethod]
    public void GetReservedField_FieldOutOfRange_ThrowsArgumentOutOfRange()
    {
        using var dir = new TempDirectory();
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("ds"), s_fixedSchema, TestData.Options());
        writer.ReserveSamples(2);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => writer.GetReservedField(2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => writer.GetReservedField(-1));
    }

    [TestMethod]
    public void Dispose_WhileReserved_PublishesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(target, s_fixedSchema, TestData.Options(chunkBytes: 256)))
        {
            WriteRuns(writer, 0, 100, new Random(3));
            writer.ReserveSamples(5);
        }

        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path));
    }

    private static float[] Features(long sample) => [.. Enumerable.Range(0, 5).Select(i => (sample * 5) + i + 0.25f)];

    private static void WriteOneByOne(DatasetWriter writer, long from, long to)
    {
        for (long i = from; i < to; i++)
        {
            writer.Write<float>(0, Features(i));
            writer.WriteScalar(1, i * 7);
            writer.EndSample();
        }
    }

    private static void WriteRuns(DatasetWriter writer, long from, long to, Random runs)
    {
        for (long i = from; i < to;)
        {
            int run = writer.ReserveSamples((int)Math.Min(to - i, runs.Next(1, 200)));
            Span<float> x = MemoryMarshal.Cast<byte, float>(writer.GetReservedField(0));
            Span<long> labels = MemoryMarshal.Cast<byte, long>(writer.GetReservedField(1));
            Assert.AreEqual(run * 5, x.Length);
            Assert.AreEqual(run, labels.Length);
            for (int s = 0; s < run; s++)
            {
                Features(i + s).CopyTo(x.Slice(s * 5, 5));
                labels[s] = (i + s) * 7;
            }

            writer.CommitReservedSamples();
            i += run;
        }
    }

    private static void AssertSameFiles(string a, string b)
    {
        string[] filesA = [.. Directory.GetFiles(a).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        string[] filesB = [.. Directory.GetFiles(b).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        CollectionAssert.AreEqual(filesA, filesB);
        Assert.IsGreaterThan(2, filesA.Length);
        foreach (string f in filesA)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)), f);
        }
    }

    private static void AssertHolds(string directory, long count)
    {
        using ShardDataset ds = ShardDataset.Open(directory, TestData.ReadOptions());
        Assert.AreEqual(count, ds.SampleCount);
        for (long i = 0; i < count; i += 7)
        {
            using SampleLease s = ds.ReadSample(i);
            CollectionAssert.AreEqual(Features(i), s.Get<float>(0).ToArray(), $"x of sample {i}");
            Assert.AreEqual(i * 7, s.Get<long>(1)[0], $"label of sample {i}");
        }
    }
}
