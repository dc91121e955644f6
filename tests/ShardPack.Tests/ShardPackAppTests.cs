using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class ShardPackAppTests
{
    [TestMethod]
    public void Run_Help_ListsEveryCommandInOrder()
    {
        CliResult r = Cli.Run("--help");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        string[] commands = [.. r.Output.Split('\n')
            .SkipWhile(l => !l.StartsWith("Commands:", StringComparison.Ordinal))
            .Skip(1)
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Trim().Split(' ')[0])];
        CollectionAssert.AreEqual(new[] { "pack", "info", "verify", "cat", "export", "order", "sync" }, commands, r.ToString());
    }
}
