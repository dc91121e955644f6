using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class PackCommandTests
{
    [TestMethod]
    public void Run_OutputNotATerminal_PrintsPlainProgressLinesToStandardError()
    {
        using var dir = new TempDirectory();
        string csv = WriteNumbersCsv(dir, 20_000);

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), "--chunk-size", "4K", "--progress-interval", "0.000001");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        string[] lines = [.. r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("packing csv: ", StringComparison.Ordinal))];
        Assert.IsGreaterThan(1, lines.Length, r.Error);
        Assert.MatchesRegex(@"^packing csv: [\d,]+ samples, [\d.]+ MB/s of input, \d+ ?% of the input, about .+ left", lines[^1], string.Join("\n", lines));
        Assert.DoesNotContain("packing csv: ", r.Output, "standard output keeps only the summary");
    }

    [TestMethod]
    [DataRow("--quiet")]
    [DataRow("--progress-interval=0")]
    public void Run_QuietOrNoInterval_PrintsNoProgressLines(string option)
    {
        using var dir = new TempDirectory();
        string csv = WriteNumbersCsv(dir, 2_000);

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), "--chunk-size", "4K", option);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.DoesNotContain("packing csv: ", r.Error);
    }

    [TestMethod]
    [DataRow("-1")]
    [DataRow("NaN")]
    public void Run_BadProgressInterval_ExitsTwo(string value)
    {
        using var dir = new TempDirectory();
        string csv = WriteNumbersCsv(dir, 10);

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), "--progress-interval", value);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }

    private static string WriteNumbersCsv(TempDirectory dir, int rows)
    {
        var text = new StringBuilder("a\n");
        for (int i = 0; i < rows; i++)
        {
            text.Append(i).Append('\n');
        }

        string path = dir.Combine("numbers.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
