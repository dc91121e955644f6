using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class TfRecordImporterTests
{
    [TestMethod]
    public void Pack_ShuffleSeed_RecordsOfVariousLengths_SameSamplesInAReproducibleOrder()
    {
        using var dir = new TempDirectory();
        string input = WriteShuffleRecords(dir, 150, out _);

        (string[] plain, _) = ShuffledPack.AssertShuffles(dir, "--from", "tfrecord", "--input", input);

        Assert.HasCount(150, plain);
    }

    [TestMethod]
    [DataRow("length")]
    [DataRow("data")]
    [DataRow("truncated")]
    public void Pack_ShuffleSeed_CorruptRecord_ExitsThreeNamingItsRecordNumberAndOffset(string corruption)
    {
        using var dir = new TempDirectory();
        string input = WriteShuffleRecords(dir, 150, out List<long> offsets);
        byte[] bytes = File.ReadAllBytes(input);
        int record = corruption == "truncated" ? 149 : 97;
        bytes = TfRecordWriter.Corrupt(bytes, offsets[record], corruption);

        File.WriteAllBytes(input, bytes);

        string error = ShuffledPack.AssertBadData(dir, "--from", "tfrecord", "--input", input);

        StringAssert.Contains(error, $"'{input}', record {record}, byte offset {offsets[record]}:", error);
        StringAssert.Contains(error, corruption == "truncated" ? "truncated" : $"CRC of the record {corruption}", error);
    }

    [TestMethod]
    public void Pack_ShuffleSeed_BadExampleInAShuffledRecord_ExitsThreeNamingIt()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord");
        long offset;
        using (var writer = new TfRecordWriter(input))
        {
            for (int r = 0; r < 40; r++)
            {
                Dictionary<string, object> features = SampleFeatures(r);
                if (r == 31)
                {
                    features["image"] = new[] { 1f, 2f };
                }

                writer.WriteExample(features);
            }

            offset = writer.RecordOffsets[31];
        }

        string error = ShuffledPack.AssertBadData(dir, "--from", "tfrecord", "--input", input);

        StringAssert.Contains(error, $"'{input}', record 31:", error);
        StringAssert.Contains(error, "feature 'image' has 2 values", error);
        Assert.IsGreaterThan(0, offset);
    }

    [TestMethod]
    public void Pack_ShuffleSeed_GzipFile_ExitsTwoSayingToDecompress()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.tfrecord.gz");
        using (var writer = new TfRecordWriter(input, gzip: true))
        {
            writer.WriteExample(SampleFeatures(0));
        }

        CliResult r = Cli.Run("pack", "--from", "tfrecord", "--input", input, "--shuffle-seed", "1", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "GZIP", r.ToString());
        StringAssert.Contains(r.Error, "gunzip", r.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    // Records whose name feature grows from a few bytes to about 3 KB, so they have many lengths.
    private static string WriteShuffleRecords(TempDirectory dir, int count, out List<long> offsets)
    {
        string input = dir.Combine("data.tfrecord");
        using var writer = new TfRecordWriter(input);
        for (int r = 0; r < count; r++)
        {
            Dictionary<string, object> features = SampleFeatures(r);
            features["name"] = new[] { Encoding.UTF8.GetBytes(new string((char)('a' + (r % 26)), (r * 37) % 3000)) };
            writer.WriteExample(features);
        }

        offsets = writer.RecordOffsets;
        return input;
    }
}
