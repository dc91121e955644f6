using ShardPack.Commands;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

public sealed partial class PackCommandTests
{
    private const string FixedIdentity = "0123456789abcdef0123456789abcdef";

    [TestMethod]
    public void Run_SameInputAndIdentity_ByteIdenticalFilesAndInfoShowsIdentity()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<long>(input, "<i8", [1000], Enumerable.Range(0, 1000).Select(i => (long)i).ToArray());

        foreach (string output in new[] { "a", "b" })
        {
            CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"y={input}", "-o", dir.Combine(output), "--identity", FixedIdentity, "--quiet");
            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        }

        string[] names = Directory.GetFiles(dir.Combine("a")).Select(Path.GetFileName).Order().ToArray()!;
        CollectionAssert.AreEqual(names, Directory.GetFiles(dir.Combine("b")).Select(Path.GetFileName).Order().ToArray());
        foreach (string name in names)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.Combine("a"), name)), File.ReadAllBytes(Path.Combine(dir.Combine("b"), name)), name);
        }

        CliResult info = Cli.Run("info", dir.Combine("a"));
        Assert.AreEqual(ExitCodes.Success, info.ExitCode, info.ToString());
        Assert.Contains($"identity  {FixedIdentity}", info.Output);
    }

    [TestMethod]
    [DataRow("0123")]
    [DataRow("0123456789ABCDEF0123456789ABCDEF")]
    [DataRow("00000000000000000000000000000000")]
    public void Run_BadIdentity_ExitsTwoNamingOption(string identity)
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<long>(input, "<i8", [4], new long[] { 1, 2, 3, 4 });

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"y={input}", "-o", dir.Combine("out"), "--identity", identity);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--identity", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }
}
