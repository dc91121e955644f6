using ShardPack.Commands;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class PackCommandTests
{
    [TestMethod]
    [DataRow("csv", "CSV records are found only by reading")]
    [DataRow("ctf", "a CTF sequence is found only by reading")]
    [DataRow("tfrecord", "TFRecord records have variable lengths")]
    [DataRow("files", "the manifest is streamed")]
    public void Run_ShuffleSeedForAnImporterThatReadsInOrder_ExitsTwoSayingWhy(string from, string why)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("input");
        File.WriteAllText(input, "a\n1\n");
        string[] source = from == "files" ? ["--manifest", input, "--path-column", "a"] : ["--input", input];

        string[] fields = from is "ctf" or "tfrecord" ? [] : ["--field", "a:i64:a"];

        CliResult r = Cli.Run(["pack", "--from", from, .. source, .. fields, "--shuffle-seed", "3", "-o", dir.Combine("out"), "--quiet"]);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--shuffle-seed applies to --from npy, raw and imagefolder", r.Error);
        Assert.Contains(why, r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")), "nothing published");
    }

    [TestMethod]
    public void Run_UnknownFormat_ExitsTwoNamingFormats()
    {
        using var dir = new TempDirectory();
        CliResult r = Cli.Run("pack", "--from", "parquet", "-o", dir.Combine("out"));
        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("parquet", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Run_MissingRequiredOption_ExitsTwo()
    {
        CliResult r = Cli.Run("pack", "--from", "csv");
        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }
}
