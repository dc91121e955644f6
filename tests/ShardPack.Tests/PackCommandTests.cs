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
}
