using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class CtfImporterTests
{
    private static readonly string[] s_shuffleStreams = ["--stream", "x:2", "--stream", "y:4:sparse"];

    [TestMethod]
    public void Pack_ShuffleSeed_SequencesMoveWhole_SameSamplesInAReproducibleOrder()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, ShuffleCtf(samples: 200, badSample: -1, out _), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        (string[] plain, _) = ShuffledPack.AssertShuffles(dir, ["--from", "ctf", "--input", input, .. s_shuffleStreams]);

        Assert.HasCount(200, plain);
        using ShardDataset shuffled = Open(dir.Combine("seed5"));
        Assert.AreEqual("{x:f32[*], y:f32[4]}", shuffled.Schema.ToString());
        for (long i = 0; i < shuffled.SampleCount; i++)
        {
            // Every row of a sample's x holds (id, id): a sequence split or merged by the shuffle would mix ids.
            using SampleLease sample = shuffled.ReadSample(i);
            float[] x = sample.Get<float>(0).ToArray();
            float id = x[0];
            int rows = (int)id % 7 == 0 ? 1 : ((int)id % 3) + 1;
            Assert.HasCount(rows * 2, x, $"sample {i} (id {id})");
            Assert.IsTrue(x.All(v => v == id), $"sample {i}: rows of different sequences were packed together: {string.Join(" ", x)}");
        }
    }

    [TestMethod]
    public void Pack_ShuffleSeed_BadNumberInASequence_ExitsThreeNamingItsOriginalLine()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("data.ctf");
        File.WriteAllText(input, ShuffleCtf(samples: 200, badSample: 149, out long badLine));

        string error = ShuffledPack.AssertBadData(dir, ["--from", "ctf", "--input", input, .. s_shuffleStreams]);

        StringAssert.Contains(error, $"'{input}', line {badLine}:", error);
        StringAssert.Contains(error, "'oops' is not a number", error);
    }

    // Sample s has sequence id s (none for every seventh, which is then one line) and (s % 3) + 1 rows of x, each
    // "s s"; its first row has a sparse y. Comment lines, blank lines and CRLF ends sit between samples. The last x row
    // of sample `badSample` holds 'oops', on line `badLine`.
    private static string ShuffleCtf(int samples, int badSample, out long badLine)
    {
        var text = new StringBuilder("|# exported for a test\n");
        long line = 2;
        badLine = 0;
        for (int s = 0; s < samples; s++)
        {
            bool withId = s % 7 != 0;
            int rows = withId ? (s % 3) + 1 : 1;
            for (int r = 0; r < rows; r++)
            {
                string value = s == badSample && r == rows - 1 ? "oops" : s.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (value == "oops")
                {
                    badLine = line;
                }

                text.Append(withId ? $"{s} " : string.Empty).Append($"|x {s} {value}");
                text.Append(r == 0 ? $" |y {s % 4}:{s}.5" : string.Empty).Append(s % 2 == 0 ? "\r\n" : "\n");
                line++;
            }

            if (s % 11 == 3)
            {
                text.Append("\n|# between samples\n");
                line += 2;
            }
        }

        return text.ToString();
    }
}
