using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class PackCommandTests
{
    [TestMethod]
    public void Pack_Append_AddsANewGenerationThatInfoListsAndGenerationOptionReads()
    {
        using var dir = new TempDirectory();
        string first = dir.Combine("a.npy"), second = dir.Combine("b.npy"), ds = dir.Combine("ds");
        NpyWriter.Write<float>(first, "<f4", [40, 4], [.. Enumerable.Range(0, 160).Select(i => (float)i)]);
        NpyWriter.Write<float>(second, "<f4", [25, 4], [.. Enumerable.Range(0, 100).Select(i => -(float)i)]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", $"x={first}", "-o", ds, "--quiet").ExitCode);

        CliResult appended = Cli.Run("pack", "--from", "npy", "--field", $"x={second}", "-o", ds, "--append");

        Assert.AreEqual(ExitCodes.Success, appended.ExitCode, appended.ToString());
        Assert.Contains("appended 25 samples as generation 2, now 65 samples", appended.Output);
        CliResult info = Cli.Run("info", ds);
        Assert.AreEqual(ExitCodes.Success, info.ExitCode, info.ToString());
        Assert.Contains("generation 2\n", info.Output.ReplaceLineEndings("\n"));
        Assert.MatchesRegex(@"\n  1\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+1 shard, 40 samples, fingerprint [0-9a-f]{32}", info.Output.ReplaceLineEndings("\n"));
        Assert.MatchesRegex(@"\n  2\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+2 shards, 65 samples, fingerprint [0-9a-f]{32}", info.Output.ReplaceLineEndings("\n"));
        CliResult json = Cli.Run("info", ds, "--json", "--generation", "1");
        Assert.Contains("\"generation\": 1,", json.Output, json.ToString());
        Assert.Contains("\"samples\": 40,", json.Output, json.ToString());
        CliResult order = Cli.Run("order", ds, "--order", "sequential", "--batch-size", "8", "--generation", "1");
        Assert.AreEqual(40, order.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, order.ToString());
        CliResult last = Cli.Run("cat", ds, "--generation", "2", "--index", "64");
        Assert.AreEqual(ExitCodes.Success, last.ExitCode, last.ToString());
        Assert.Contains("-96", last.Output);
        CliResult beyond = Cli.Run("cat", ds, "--generation", "1", "--index", "64");
        Assert.AreEqual(ExitCodes.InvalidArguments, beyond.ExitCode, beyond.ToString());
        Assert.Contains("40 samples", beyond.Error);
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("3")]
    public void Info_GenerationTheDatasetDoesNotHave_ExitsWithMessageNamingDatasetAndGeneration(string generation)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("a.npy"), ds = dir.Combine("ds");
        NpyWriter.Write<float>(input, "<f4", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", $"x={input}", "-o", ds, "--quiet").ExitCode);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", $"x={input}", "-o", ds, "--quiet", "--append").ExitCode);

        CliResult r = Cli.Run("info", ds, "--generation", generation);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains($"generation {generation} does not exist", r.Error);
        Assert.Contains(Path.GetFullPath(ds), r.Error);
    }

    [TestMethod]
    public void Pack_AppendOtherSchema_ExitsThreeNamingTheDatasetAndChangesNothing()
    {
        using var dir = new TempDirectory();
        string first = dir.Combine("a.npy"), second = dir.Combine("b.npy"), ds = dir.Combine("ds");
        NpyWriter.Write<float>(first, "<f4", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        NpyWriter.Write<float>(second, "<f4", [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", $"x={first}", "-o", ds, "--quiet").ExitCode);
        byte[] manifest = File.ReadAllBytes(Path.Combine(ds, "manifest.json"));

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"x={second}", "-o", ds, "--append");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("same schema", r.Error);
        Assert.Contains("x f32 [2]", r.Error);
        Assert.Contains("x f32 [4]", r.Error);
        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(Path.Combine(ds, "manifest.json")));
    }

    [TestMethod]
    public void Pack_AppendToS3_RefusedWithMessage()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("a.npy");
        NpyWriter.Write<float>(input, "<f4", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"x={input}", "-o", "s3://bucket/ds", "--append");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--append works on local datasets only", r.Error);
    }

    [TestMethod]
    public void Pack_AppendWithOverwrite_RefusedAsUsage()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("a.npy");
        NpyWriter.Write<float>(input, "<f4", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"x={input}", "-o", dir.Combine("ds"), "--append", "--overwrite");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("give one", r.Error);
    }
}
