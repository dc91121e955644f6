using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class ExportCommandTests
{
    [TestMethod]
    public void Export_PackedFromNpy_ByteIdenticalToInput()
    {
        using var dir = new TempDirectory();
        var random = new Random(42);
        float[] images = [.. Enumerable.Range(0, 100 * 28 * 28).Select(_ => random.NextSingle())];
        Half[] halves = [.. Enumerable.Range(0, 100 * 7).Select(i => (Half)(i * 0.25f))];
        byte[] labels = [.. Enumerable.Range(0, 100).Select(i => (byte)(i % 10))];
        NpyWriter.Write<float>(dir.Combine("image.npy"), "<f4", [100, 28, 28], images);
        NpyWriter.Write<Half>(dir.Combine("half.npy"), "<f2", [100, 7], halves);
        NpyWriter.Write<byte>(dir.Combine("label.npy"), "|u1", [100], labels);
        CliResult pack = Cli.Run(
            "pack", "--from", "npy", "-o", dir.Combine("ds"), "--chunk-size", "64K", "-q",
            "--field", "image=" + dir.Combine("image.npy"),
            "--field", "half=" + dir.Combine("half.npy"),
            "--field", "label=" + dir.Combine("label.npy"));
        Assert.AreEqual(ExitCodes.Success, pack.ExitCode, pack.ToString());

        // --to npy is the default.
        CliResult r = Cli.Run("export", dir.Combine("ds"), "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        foreach (string name in new[] { "image.npy", "half.npy", "label.npy" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(dir.Combine(name)), File.ReadAllBytes(Path.Combine(dir.Combine("out"), name)), name);
        }

        CollectionAssert.AreEquivalent(new[] { "image.npy", "half.npy", "label.npy" }, Directory.GetFiles(dir.Combine("out")).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void Export_VariableField_SkipsItWithNote()
    {
        using var dir = new TempDirectory();
        var schema = new Schema(FieldSpec.Fixed("x", DType.I32, 2), FieldSpec.Variable("tokens", DType.I32));
        using (DatasetWriter w = DatasetWriter.Create(dir.Combine("ds"), schema, new DatasetWriterOptions { Threads = 1 }))
        {
            for (int i = 0; i < 5; i++)
            {
                w.Write<int>(0, [i, -i]);
                w.Write<int>(1, Enumerable.Repeat(i, i).ToArray());
                w.EndSample();
            }

            w.Complete();
        }

        CliResult r = Cli.Run("export", dir.Combine("ds"), "-o", dir.Combine("out"), "--to", "npy");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.Contains("tokens", r.Error);
        Assert.IsFalse(File.Exists(dir.Combine("out/tokens.npy")));
        int[] expected = [0, 0, 1, -1, 2, -2, 3, -3, 4, -4];
        byte[] file = [.. NpyWriter.Header("<i4", 5, 2), .. System.Runtime.InteropServices.MemoryMarshal.AsBytes<int>(expected)];
        CollectionAssert.AreEqual(file, File.ReadAllBytes(dir.Combine("out/x.npy")));
    }

    [TestMethod]
    public void Export_UnknownFormat_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("export", dir.Path, "-o", dir.Combine("out"), "--to", "parquet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("parquet", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Export_MissingDataset_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("export", dir.Combine("nope"), "-o", dir.Combine("out"), "--to", "npy");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }

    [TestMethod]
    public void Export_TruncatedShard_ExitsThreeWithoutOutputFiles()
    {
        using var dir = new TempDirectory();
        NpyWriter.Write<int>(dir.Combine("a.npy"), "<i4", [1000], new int[1000]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "-o", dir.Combine("ds"), "-q", "--field", "a=" + dir.Combine("a.npy")).ExitCode);
        string shard = Path.Combine(dir.Combine("ds"), "shard-00000.shard");
        byte[] bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length / 2)]);

        CliResult r = Cli.Run("export", dir.Combine("ds"), "-o", dir.Combine("out"), "--to", "npy");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")) && Directory.EnumerateFileSystemEntries(dir.Combine("out")).Any());
    }
}
