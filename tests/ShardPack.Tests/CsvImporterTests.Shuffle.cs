using System.Globalization;
using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class CsvImporterTests
{
    [TestMethod]
    public void Pack_ShuffleSeed_QuotedLineBreaksCrLfBomAndBlankLines_SameRowsInAReproducibleOrder()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.csv");
        File.WriteAllText(input, ShuffleCsv(rows: 300, badRow: -1, out _), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        (string[] plain, string[] shuffled) = ShuffledPack.AssertShuffles(dir, "--from", "csv", "--input", input, "--field", "id:i64:id", "--field", "v:f32:v");

        Assert.HasCount(300, plain);
        Assert.IsGreaterThan(250, plain.Zip(shuffled).Count(p => p.First != p.Second), "rows moved from their input place");
    }

    [TestMethod]
    public void Pack_ShuffleSeed_BadValue_ExitsThreeNamingItsOriginalLine()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.csv");
        File.WriteAllText(input, ShuffleCsv(rows: 300, badRow: 211, out long badLine));

        string error = ShuffledPack.AssertBadData(dir, "--from", "csv", "--input", input, "--field", "id:i64:id", "--field", "v:f32:v");

        StringAssert.Contains(error, $"'{input}', line {badLine}:", error);
        StringAssert.Contains(error, "column 'v'", error);
    }

    [TestMethod]
    public void Pack_ShuffleSeed_Utf16File_ExitsTwoSayingToConvertIt()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.csv");
        File.WriteAllText(input, "id\n1\n2\n", Encoding.Unicode);

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", input, "--field", "id:i64:id", "--shuffle-seed", "1", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "UTF-16", r.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    // A CSV with a header, CRLF line ends, a quoted note with a comma, a quote and line breaks (CRLF and LF) on every
    // fourth row, non-ASCII text, a blank line now and then, and no line break after the last row. Row `badRow` has a
    // value that is not a number; `badLine` is the line it starts on.
    private static string ShuffleCsv(int rows, int badRow, out long badLine)
    {
        var text = new StringBuilder("id,note,v\r\n");
        long line = 2;
        badLine = 0;
        for (int i = 0; i < rows; i++)
        {
            if (i % 37 == 5)
            {
                text.Append("\r\n");
                line++;
            }

            string note = (i % 4) switch
            {
                0 => "\"première, \"\"ligne\"\"\r\nzweite € \nthird\"",
                1 => "ünïcödé",
                2 => string.Empty,
                _ => "\"plain, quoted\"",
            };
            string value = i == badRow ? "x1" : (i * 0.25f).ToString("R", CultureInfo.InvariantCulture);
            if (i == badRow)
            {
                badLine = line;
            }

            text.Append(CultureInfo.InvariantCulture, $"{i},{note},{value}");
            line += i % 4 == 0 ? 3 : 1;
            if (i < rows - 1)
            {
                text.Append("\r\n");
            }
        }

        return text.ToString();
    }
}
