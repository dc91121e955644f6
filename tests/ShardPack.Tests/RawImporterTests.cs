using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed class RawImporterTests
{
    // image:u8[4x3] + x:f16[2] + y:i8 + label:i64 + z:bf16 + w:f64[2]
    private const int RecordBytes = 12 + 4 + 1 + 8 + 2 + 16;

    private static readonly string[] s_fields =
    [
        "--field", "image:u8:4x3", "--field", "x:f16:2", "--field", "y:i8", "--field", "label:i64", "--field", "z:bf16:", "--field", "w:f64:2",
    ];

    [TestMethod]
    public void Run_RecordAboveRecordLimit_ExitsTwoBeforeAllocating()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.bin");
        File.WriteAllBytes(input, new byte[8192]);

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", "x:u8:8192", "--max-record-bytes", "4K", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--max-record-bytes", r.Error);
    }

    [TestMethod]
    public void Run_MixedDtypes_RoundTripsEveryValue()
    {
        using var dir = new TempDirectory();
        byte[] bytes = RandomRecords(2000, RecordBytes, seed: 1);
        string input = dir.Combine("in.bin");
        File.WriteAllBytes(input, bytes);
        string output = dir.Combine("out");

        CliResult r = Cli.Run(["pack", "--from", "raw", "--input", input, .. s_fields, "-o", output, "--quiet"]);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        Assert.AreEqual(2000L, dataset.SampleCount);
        Assert.AreEqual("{image:u8[4,3], x:f16[2], y:i8[], label:i64[], z:bf16[], w:f64[2]}", dataset.Schema.ToString());
        AssertRecords(dataset, bytes, RecordBytes);
        using (SampleLease first = dataset.ReadSample(7))
        {
            Assert.AreEqual(BitConverter.ToInt64(bytes, (7 * RecordBytes) + 17), first.Get<long>(3)[0]);
            Assert.AreEqual((sbyte)bytes[(7 * RecordBytes) + 16], first.Get<sbyte>(2)[0]);
        }
    }

    [TestMethod]
    public void Run_RecordsSpanSeveralBuffers_RoundTripsEveryValue()
    {
        using var dir = new TempDirectory();
        const int BigRecordBytes = 784 + (2 * 100) + 8;
        byte[] bytes = RandomRecords(6000, BigRecordBytes, seed: 2);
        string input = dir.Combine("big.bin");
        File.WriteAllBytes(input, bytes);
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", "image:u8:28x28", "--field", "emb:f16:100", "--field", "label:i64", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        Assert.AreEqual(6000L, dataset.SampleCount);
        AssertRecords(dataset, bytes, BigRecordBytes);
    }

    [TestMethod]
    public void Run_TruncatedLastRecord_ExitsThreeNamingFileAndRecord()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("cut.bin");
        File.WriteAllBytes(input, RandomRecords(10, RecordBytes, seed: 3).Concat(new byte[5]).ToArray());
        string output = dir.Combine("out");

        CliResult r = Cli.Run(["pack", "--from", "raw", "--input", input, .. s_fields, "-o", output, "--quiet"]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains(input, r.Error);
        Assert.Contains("record 10 is truncated", r.Error);
        Assert.Contains($"byte offset {10 * RecordBytes}", r.Error);
        AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_NoField_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.bin");
        File.WriteAllBytes(input, new byte[8]);

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--field", r.Error);
    }

    [TestMethod]
    public void Run_BadDType_ExitsTwoNamingIt()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.bin");
        File.WriteAllBytes(input, new byte[8]);

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", "x:float32", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("float32", r.Error);
    }

    internal static void AssertNothingWritten(TempDirectory dir, string output)
    {
        Assert.IsFalse(Directory.Exists(output), "the output directory exists after a failed pack");
        string[] partial = Directory.GetDirectories(dir.Path, $".{Path.GetFileName(output)}.partial-*");
        Assert.IsEmpty(partial, string.Join(", ", partial));
    }

    [TestMethod]
    public void Run_ShuffleSeed_PacksAPermutationOfTheRecordsInAnotherOrderTheSameEveryTime()
    {
        using var dir = new TempDirectory();
        const int Records = 3000;
        byte[] bytes = new byte[Records * 8];
        for (int i = 0; i < Records; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), (long)i);
        }

        string input = dir.Combine("in.bin");
        File.WriteAllBytes(input, bytes);

        long[] Pack(string name, string seed)
        {
            CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", "id:i64", "--shuffle-seed", seed, "--chunk-size", "4K", "-o", dir.Combine(name), "--quiet");
            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            using ShardDataset dataset = ShardDataset.Open(dir.Combine(name), new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
            return [.. Enumerable.Range(0, (int)dataset.SampleCount).Select(i => { using SampleLease s = dataset.ReadSample(i); return s.Get<long>(0)[0]; })];
        }

        long[] a = Pack("a", "5");
        long[] again = Pack("again", "5");
        long[] other = Pack("other", "6");

        CollectionAssert.AreEquivalent(Enumerable.Range(0, Records).Select(i => (long)i).ToArray(), a, "every record once");
        Assert.IsGreaterThan(Records * 9 / 10, a.Where((v, i) => v != i).Count(), "records moved from their input place");
        CollectionAssert.AreEqual(a, again, "the same seed packs the same order");
        Assert.IsGreaterThan(Records * 9 / 10, a.Zip(other).Count(p => p.First != p.Second), "another seed packs another order");
    }

    private static byte[] RandomRecords(int count, int recordBytes, int seed)
    {
        var bytes = new byte[count * recordBytes];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void AssertRecords(ShardDataset dataset, byte[] bytes, int recordBytes)
    {
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            int offset = (int)i * recordBytes;
            for (int f = 0; f < dataset.Schema.Count; f++)
            {
                ReadOnlySpan<byte> actual = sample.Get<byte>(f);
                Assert.AreEqual(dataset.Schema[f].BytesPerSample, actual.Length);
                if (!actual.SequenceEqual(bytes.AsSpan(offset, actual.Length)))
                {
                    Assert.Fail($"sample {i} field {dataset.Schema[f].Name} differs from the input");
                }

                offset += actual.Length;
            }

            Assert.AreEqual((int)(i + 1) * recordBytes, offset);
        }
    }
}
