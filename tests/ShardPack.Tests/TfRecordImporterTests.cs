using System.Text;
using ShardPack.Importers;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class TfRecordImporterTests
{
    private const int Records = 20;

    [TestMethod]
    public void Crc32C_CheckString_MatchesStandardValue()
    {
        byte[] check = Encoding.ASCII.GetBytes("123456789");
        Assert.AreEqual(0xE3069283u, TfRecordReader.Crc32C(check));
        byte[] longer = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 31))];
        Assert.AreEqual(TfRecordWriter.Crc32C(longer), TfRecordReader.Crc32C(longer));
    }

    [TestMethod]
    [DataRow(false, true)]
    [DataRow(true, false)]
    public void Pack_FloatInt64BytesFeatures_ReadsBackEveryValue(bool gzip, bool packed)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine(gzip ? "data.tfrecord.gz" : "data.tfrecord");
        using (var writer = new TfRecordWriter(input, gzip))
        {
            for (int r = 0; r < Records; r++)
            {
                writer.WriteExample(SampleFeatures(r), packed);
            }
        }

        if (gzip)
        {
            byte[] head = File.ReadAllBytes(input)[..2];
            Assert.AreEqual(0x1f, head[0]);
        }

        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "tfrecord", "--input", input, "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.Success, result.ExitCode, result.ToString());

        using ShardDataset dataset = Open(output);
        Assert.AreEqual("{id:i64[], image:f32[3], label:f32[], name:u8[*]}", dataset.Schema.ToString());
        Assert.AreEqual(Records, dataset.SampleCount);
        for (int r = 0; r < Records; r++)
        {
            using SampleLease sample = dataset.ReadSample(r);
            Assert.AreEqual(r * 1000L - 7, sample.Get<long>(0)[0]);
            CollectionAssert.AreEqual(new[] { r, r + 0.5f, -r }, sample.Get<float>(1).ToArray());
            Assert.AreEqual(r / 4f, sample.Get<float>(2)[0]);
            Assert.AreEqual($"sample-{r}", Encoding.UTF8.GetString(sample.Get<byte>(3)));
        }
    }

    [TestMethod]
    public void Pack_PinnedFeatures_StoresPinnedFields()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        using (var writer = new TfRecordWriter(input))
        {
            for (int r = 0; r < Records; r++)
            {
                writer.WriteExample(new Dictionary<string, object>
                {
                    ["label"] = new long[] { r % 10 },
                    ["seq"] = Enumerable.Range(0, 1 + (r % 3)).Select(i => (float)(r * 10 + i)).ToArray(),
                    ["parts"] = Enumerable.Range(0, r % 3).Select(i => new[] { (byte)r, (byte)i }).ToArray(),
                });
            }
        }

        string output = dir.Combine("out");
        CliResult result = Cli.Run(
            "pack", "--from", "tfrecord", "--input", input, "-o", output, "--quiet",
            "--feature", "label:i32", "--feature", "seq:f32:*", "--feature", "parts:bytes:concat");
        Assert.AreEqual(ExitCodes.Success, result.ExitCode, result.ToString());

        using ShardDataset dataset = Open(output);
        Assert.AreEqual("{label:i32[], parts:u8[*], seq:f32[*]}", dataset.Schema.ToString());
        for (int r = 0; r < Records; r++)
        {
            using SampleLease sample = dataset.ReadSample(r);
            Assert.AreEqual(r % 10, sample.Get<int>(0)[0]);
            byte[] expectedParts = [.. Enumerable.Range(0, r % 3).SelectMany(i => new[] { (byte)r, (byte)i })];
            CollectionAssert.AreEqual(expectedParts, sample.Get<byte>(1).ToArray());
            float[] expectedSeq = [.. Enumerable.Range(0, 1 + (r % 3)).Select(i => (float)(r * 10 + i))];
            CollectionAssert.AreEqual(expectedSeq, sample.Get<float>(2).ToArray());
        }
    }

    [TestMethod]
    public void Pack_UnpinnedLengthChanges_ExitsThreeNamingRecordAndFeature()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        using (var writer = new TfRecordWriter(input))
        {
            writer.WriteExample(new Dictionary<string, object> { ["v"] = new float[] { 1, 2 } });
            writer.WriteExample(new Dictionary<string, object> { ["v"] = new float[] { 1, 2, 3 } });
        }

        AssertFails(dir, input, "record 1", "'v'");
    }

    [TestMethod]
    public void Pack_MissingFeature_ExitsThreeNamingRecordAndFeature()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        using (var writer = new TfRecordWriter(input))
        {
            writer.WriteExample(new Dictionary<string, object> { ["a"] = new long[] { 1 }, ["b"] = new long[] { 2 } });
            writer.WriteExample(new Dictionary<string, object> { ["a"] = new long[] { 1 } });
        }

        AssertFails(dir, input, "record 1", "'b' is missing");
    }

    [TestMethod]
    public void Pack_SeveralBytesValuesUnpinned_ExitsThreeSuggestingConcat()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        using (var writer = new TfRecordWriter(input))
        {
            writer.WriteExample(new Dictionary<string, object> { ["b"] = new[] { new byte[] { 1 }, new byte[] { 2 } } });
        }

        AssertFails(dir, input, "record 0", "b:bytes:concat");
    }

    [TestMethod]
    [DataRow("length")]
    [DataRow("data")]
    [DataRow("truncated")]
    public void Pack_CorruptRecord_ExitsThreeNamingRecord(string corruption)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        List<long> offsets;
        using (var writer = new TfRecordWriter(input))
        {
            for (int r = 0; r < 4; r++)
            {
                writer.WriteExample(SampleFeatures(r));
            }

            offsets = writer.RecordOffsets;
        }

        byte[] bytes = File.ReadAllBytes(input);
        int record = corruption == "truncated" ? 3 : 2;
        bytes = TfRecordWriter.Corrupt(bytes, offsets[record], corruption);

        File.WriteAllBytes(input, bytes);
        string message = AssertFails(dir, input, $"record {record}", $"byte offset {offsets[record]}");
        Assert.Contains(corruption == "truncated" ? "truncated" : $"CRC of the record {corruption}", message);
    }

    [TestMethod]
    public void Pack_RecordLengthAboveLimit_ExitsThreeWithoutAllocating()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        var header = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)InputLimits.DefaultMaxRecordBytes + 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), TfRecordWriter.MaskedCrc(header.AsSpan(0, 8)));
        File.WriteAllBytes(input, header);

        string message = AssertFails(dir, input, "record 0", "byte offset 0");
        Assert.Contains("limit", message);
    }

    [TestMethod]
    public void Pack_BadFeatureOption_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        using (var writer = new TfRecordWriter(input))
        {
            writer.WriteExample(SampleFeatures(0));
        }

        CliResult result = Cli.Run("pack", "--from", "tfrecord", "--input", input, "-o", dir.Combine("out"), "--quiet", "--feature", "label:q32");
        Assert.AreEqual(ExitCodes.InvalidArguments, result.ExitCode, result.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    private static Dictionary<string, object> SampleFeatures(int r) => new()
    {
        ["name"] = new[] { Encoding.UTF8.GetBytes($"sample-{r}") },
        ["label"] = new[] { r / 4f },
        ["image"] = new[] { r, r + 0.5f, -r },
        ["id"] = new[] { r * 1000L - 7 },
    };

    private static string AssertFails(TempDirectory dir, string input, params string[] expected)
    {
        string output = dir.Combine("out");
        CliResult result = Cli.Run("pack", "--from", "tfrecord", "--input", input, "-o", output, "--quiet");
        Assert.AreEqual(ExitCodes.BadData, result.ExitCode, result.ToString());
        Assert.Contains(input, result.Error);
        foreach (string text in expected)
        {
            Assert.Contains(text, result.Error);
        }

        Assert.IsFalse(Directory.Exists(output));
        return result.Error;
    }

    private static ShardDataset Open(string output) => ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
}
