using ShardPack.Commands;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class PackCommandTests
{
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

    [TestMethod]
    [DataRow("4194304", 4194304L)]
    [DataRow("4M", 4L << 20)]
    [DataRow("64k", 64L << 10)]
    [DataRow("1GiB", 1L << 30)]
    [DataRow("2GB", 2L << 30)]
    public void ParseSize_Units_ReturnsBytes(string text, long expected) => Assert.AreEqual(expected, PackCommand.ParseSize(text, "--x"));

    [TestMethod]
    [DataRow("")]
    [DataRow("-4M")]
    [DataRow("4Q")]
    [DataRow("0")]
    public void ParseSize_Invalid_ThrowsUsage(string text) => Assert.ThrowsExactly<UsageException>(() => PackCommand.ParseSize(text, "--x"));
}
