using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary><c>shardpack verify</c>: exit 0 on intact data; exit 3 with one line per bad chunk, every one of them.</summary>
[TestClass]
public sealed class VerifyCommandTests
{
    [TestMethod]
    public void Run_IntactDataset_ExitsZero()
    {
        using var dir = new TempDirectory();
        string dataset = PackInts(dir);

        CliResult r = Cli.Run("verify", dataset);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.StartsWith("ok:", r.Output);
    }

    [TestMethod]
    public void Run_TwoCorruptChunks_ExitsThreeNamingBoth()
    {
        using var dir = new TempDirectory();
        string dataset = PackInts(dir);

        // Uncompressed 4 KiB chunks sit one per 4 KiB page after the header page: chunk c starts at 4096 * (c + 1).
        string shard = Directory.GetFiles(dataset, "shard-*").Order(StringComparer.Ordinal).First();
        foreach (int chunk in new[] { 1, 3 })
        {
            using var f = new FileStream(shard, FileMode.Open, FileAccess.ReadWrite);
            f.Position = (4096 * (chunk + 1)) + 100;
            int b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0x10));
        }

        CliResult r = Cli.Run("verify", dataset);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        string[] lines = r.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(3, lines, r.ToString());
        Assert.Contains(Path.GetFileName(shard), lines[0]);
        Assert.Contains("chunk 1", lines[0]);
        Assert.Contains(Path.GetFileName(shard), lines[1]);
        Assert.Contains("chunk 3", lines[1]);
        Assert.StartsWith("2 of ", lines[2]);
    }

    private static string PackInts(TempDirectory dir)
    {
        string input = dir.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [10_000], [.. Enumerable.Range(0, 10_000)]);
        string dataset = dir.Combine("ds");
        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", dataset, "--codec", "none", "--chunk-size", "4K", "-q");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        return dataset;
    }
}
