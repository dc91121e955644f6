using System.Globalization;
using System.Text;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class CsvImporterTests
{
    private const string Header = "id,label,p0,p1,p2,note,h0,h1,s,b";

    private static readonly string[] s_fields =
    [
        "--field", "id:u16:id", "--field", "label:i64:label", "--field", "pixels:f32:p0..p2",
        "--field", "half:f16:h0+h1", "--field", "small:i8:s", "--field", "brain:bf16:b",
    ];

    [TestMethod]
    public void Run_MixedDtypesQuotedNotesCrLf_RoundTripsEveryValue()
    {
        using var dir = new TempDirectory();
        var rows = new List<Row>();
        var random = new Random(5);
        var text = new StringBuilder(Header).Append("\r\n");
        for (int i = 0; i < 1500; i++)
        {
            var row = new Row(
                (ushort)random.Next(65536),
                random.NextInt64(long.MinValue, long.MaxValue),
                [(float)random.NextDouble() * 1000 - 500, (float)random.NextDouble(), -(float)random.NextDouble() * 1e-20f],
                [(Half)(random.Next(-4096, 4096) / 4.0), (Half)(random.Next(0, 2048) / 1024.0)],
                (sbyte)random.Next(-128, 128));
            rows.Add(row);
            string note = (i % 3) switch { 0 => "\"a, b\r\nand \"\"c\"\"\"", 1 => "plain", _ => string.Empty };
            text.Append(CultureInfo.InvariantCulture, $"{row.Id},\"{row.Label}\",{F(row.Pixels[0])},{F(row.Pixels[1])},{F(row.Pixels[2])},{note},{row.Half[0]},\"{row.Half[1]}\",{row.Small},{F(row.Pixels[1])}\r\n");
        }

        string input = dir.Combine("in.csv");
        File.WriteAllText(input, text.ToString());
        string output = dir.Combine("out");

        CliResult r = Cli.Run(["pack", "--from", "csv", "--input", input, .. s_fields, "-o", output, "--quiet"]);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        Assert.AreEqual("{id:u16[], label:i64[], pixels:f32[3], half:f16[2], small:i8[], brain:bf16[]}", dataset.Schema.ToString());
        Assert.AreEqual(rows.Count, dataset.SampleCount);
        for (int i = 0; i < rows.Count; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            Row row = rows[i];
            Assert.AreEqual(row.Id, sample.Get<ushort>(0)[0], $"row {i}");
            Assert.AreEqual(row.Label, sample.Get<long>(1)[0], $"row {i}");
            CollectionAssert.AreEqual(row.Pixels, sample.Get<float>(2).ToArray(), $"row {i}");
            CollectionAssert.AreEqual(row.Half, sample.Get<Half>(3).ToArray(), $"row {i}");
            Assert.AreEqual(row.Small, sample.Get<sbyte>(4)[0], $"row {i}");
            Assert.AreEqual(BFloat16(row.Pixels[1]), sample.Get<ushort>(5)[0], $"row {i}");
        }
    }

    [TestMethod]
    [DataRow("1.00390625", (ushort)0x3F80)] // exactly halfway, rounds to the even neighbour below
    [DataRow("1.01171875", (ushort)0x3F82)] // exactly halfway, rounds to the even neighbour above
    [DataRow("1.004", (ushort)0x3F81)] // just above halfway rounds up
    [DataRow("-2", (ushort)0xC000)]
    public void Run_BFloat16_RoundsToNearestEven(string value, ushort expected)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("b.csv");
        File.WriteAllText(input, $"b\n{value}\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", input, "--field", "b:bf16:b", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        using SampleLease sample = dataset.ReadSample(0);
        Assert.AreEqual(expected, sample.Get<ushort>(0)[0]);
    }

    [TestMethod]
    public void Run_BadNumberOnLine57AfterQuotedNewline_ExitsThreeNamingLine57()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder(Header).Append('\n');
        int line = 2;
        while (line <= 60)
        {
            // The row on line 10 spans two lines, so rows and lines differ afterwards.
            bool twoLines = line == 10;
            string p1 = line == 57 ? "abc" : "0.5";
            text.Append(CultureInfo.InvariantCulture, $"{line},1,0,{p1},0,{(twoLines ? "\"x\ny\"" : "n")},1,1,1,1\n");
            line += twoLines ? 2 : 1;
        }

        string input = dir.Combine("bad.csv");
        File.WriteAllText(input, text.ToString());
        string output = dir.Combine("out");

        CliResult r = Cli.Run(["pack", "--from", "csv", "--input", input, .. s_fields, "-o", output, "--quiet"]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{input}', line 57", r.Error);
        Assert.Contains("'p1'", r.Error);
        Assert.Contains("'abc'", r.Error);
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    [DataRow("s", "200", "out of range for i8")]
    [DataRow("s", "", "empty")]
    [DataRow("id", "-1", "out of range for u16")]
    [DataRow("h0", "70000", "out of range for f16")]
    [DataRow("label", "1.5", "not an integer")]
    public void Run_BadValue_ExitsThreeNamingLineColumnAndText(string column, string value, string problem)
    {
        using var dir = new TempDirectory();
        string[] names = Header.Split(',');
        string good = "1,2,0.5,0.5,0.5,n,1,1,1,1";
        string[] bad = good.Split(',');
        bad[Array.IndexOf(names, column)] = value;
        string input = dir.Combine("bad.csv");
        File.WriteAllText(input, $"{Header}\n{good}\n{good}\n{string.Join(',', bad)}\n{good}\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run(["pack", "--from", "csv", "--input", input, .. s_fields, "-o", output, "--quiet"]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{input}', line 4", r.Error);
        Assert.Contains($"column '{column}'", r.Error);
        Assert.Contains($"'{value}'", r.Error);
        Assert.Contains(problem, r.Error);
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_RowWithTooFewColumns_ExitsThreeNamingLine()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("short.csv");
        File.WriteAllText(input, "a,b\r\n1,2\r\n3\r\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", input, "--field", "x:i32:a+b", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{input}', line 3", r.Error);
        Assert.Contains("1 columns but the header has 2", r.Error);
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_UnknownColumn_ExitsTwoListingAvailable()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.csv");
        File.WriteAllText(input, $"{Header}\n1,2,0.5,0.5,0.5,n,1,1,1,1\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", input, "--field", "x:f32:p0..p9", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("no column 'p9'", r.Error);
        Assert.Contains("'label'", r.Error);
        Assert.IsFalse(Directory.Exists(output));
    }

    [TestMethod]
    public void Run_CommaSeparatedColumns_FormVector()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("in.csv");
        File.WriteAllText(input, "a,b,c\n1,2,3\n4,5,6\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", input, "--field", "v:i16:c,a", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        using SampleLease sample = dataset.ReadSample(1);
        CollectionAssert.AreEqual(new short[] { 6, 4 }, sample.Get<short>(0).ToArray());
    }

    private static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static ushort BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private sealed record Row(ushort Id, long Label, float[] Pixels, Half[] Half, sbyte Small);
}
