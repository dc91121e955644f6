using ShardPack.Tests.Infrastructure;
using ShardStore;

namespace ShardPack.Tests;

public sealed partial class PackCommandTests
{
    [TestMethod]
    [DataRow("zstd", "99", "from -131072 to 22; its default is 3")]
    [DataRow("zstd", "-200000", "from -131072 to 22")]
    [DataRow("lz4hc", "13", "from 1 to 12; its default is 9")]
    [DataRow("lz4", "0", "acceleration factors")]
    [DataRow("lz4", "70000", "from 1 to 65537")]
    [DataRow("none", "3", "--codec none has no levels")]
    public void Run_LevelOutsideTheCodecsRange_ExitsTwoNamingTheRange(string codec, string level, string expected)
    {
        using var dir = new TempDirectory();
        string csv = dir.Combine("x.csv");
        File.WriteAllText(csv, "a\n1\n2\n");

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), "--codec", codec, "--level", level);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains($"--level {level}", r.Error);
        Assert.Contains(expected, r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")), "nothing is written");
    }

    [TestMethod]
    [DataRow("zstd", "19")]
    [DataRow("lz4", "8")]
    [DataRow("lz4hc", "12")]
    public void Run_LevelInRange_PacksWithIt(string codec, string level)
    {
        using var dir = new TempDirectory();
        string csv = dir.Combine("x.csv");
        File.WriteAllText(csv, "a\n1\n2\n");

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), "--codec", codec, "--level", level);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset ds = ShardDataset.Open(dir.Combine("out"), new ShardDatasetOptions { Codecs = ShardStore.Codecs.NativeCodecs.Provider });
        Assert.AreEqual(2L, ds.SampleCount);
    }

    [TestMethod]
    [DataRow("--stream", "s", "--stream applies to --from ctf, not --from csv.")]
    [DataRow("--feature", "f", "--feature applies to --from tfrecord, not --from csv.")]
    [DataRow("--path-column", "p", "--path-column applies to --from files, not --from csv.")]
    [DataRow("--manifest", "m.csv", "--manifest applies to --from files, not --from csv.")]
    public void Run_OptionOfAnotherImporter_ExitsTwoNamingWhoReadsIt(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string csv = dir.Combine("x.csv");
        File.WriteAllText(csv, "a\n1\n");

        CliResult r = Cli.Run("pack", "--from", "csv", csv, "--field", "a:i64:a", "-o", dir.Combine("out"), option, value);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains(expected, r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }
}
