using System.Runtime.InteropServices;
using ShardPack.Commands;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

[TestClass]
public sealed class SyncCommandTests
{
    private const int Rows = 240;

    [TestMethod]
    public async Task Run_LocalToS3ToS3ToLocal_FilesByteIdentical()
    {
        using var dir = new TempDirectory();
        string packed = Pack(dir);
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        string back = dir.Combine("back");

        CliResult up = Cli.Run("sync", packed, bucket.Uri("a"));
        CliResult across = Cli.Run("sync", bucket.Uri("a"), bucket.Uri("b"));
        CliResult down = Cli.Run("sync", bucket.Uri("b"), back);

        Assert.AreEqual(ExitCodes.Success, up.ExitCode, up.ToString());
        Assert.AreEqual(ExitCodes.Success, across.ExitCode, across.ToString());
        Assert.AreEqual(ExitCodes.Success, down.ExitCode, down.ToString());
        string[] names = [.. Directory.GetFiles(packed).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.IsGreaterThan(3, names.Length, "the dataset has several shards");
        CollectionAssert.AreEqual(names, Directory.GetFiles(back).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray(), "no temporary file is left");
        foreach (string name in names)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(packed, name)), File.ReadAllBytes(Path.Combine(back, name)), name);
        }

        CollectionAssert.AreEqual(names, await bucket.ListKeysAsync("b"));
        Assert.IsEmpty(await bucket.ListUploadsAsync());
        Assert.Contains($"{names.Length - 1} shards, {names.Length - 1} copied", up.Output);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("verify", back).ExitCode);
    }

    [TestMethod]
    public async Task Run_InterruptedAfterOneShard_NoManifestAndRerunCopiesOnlyTheRest()
    {
        using var dir = new TempDirectory();
        string packed = Pack(dir);
        int shards = Directory.GetFiles(packed, "*.shard").Length;
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        using var interruption = new Interruption();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CommandContext(output, error, interruption);

        int code = context.Guard(() => SyncCommand.Run(context, packed, bucket.Uri("ds"), overwrite: false, quiet: false, shardCopied: _ => interruption.Request(PosixSignal.SIGINT)));
        List<string> afterInterruption = await bucket.ListKeysAsync("ds");
        CliResult rerun = Cli.Run("sync", packed, bucket.Uri("ds"));

        Assert.AreEqual(ExitCodes.Interrupted, code, error.ToString());
        Assert.Contains("the shards copied so far stay without a manifest", error.ToString(), "the message says what an interrupted sync leaves");
        Assert.DoesNotContain("manifest.json", afterInterruption);
        Assert.IsNotEmpty(afterInterruption, "the shard copied before the interruption stays");
        Assert.IsEmpty(await bucket.ListUploadsAsync(), "uploads cut short were aborted");
        Assert.AreEqual(ExitCodes.Success, rerun.ExitCode, rerun.ToString());
        Assert.Contains($"{shards - afterInterruption.Count} copied", rerun.Output);
        Assert.Contains($"{afterInterruption.Count} already there", rerun.Output);
        Assert.Contains("manifest.json", await bucket.ListKeysAsync("ds"));
    }

    [TestMethod]
    public async Task Run_DestinationLostOneShard_RerunCopiesOnlyThatShard()
    {
        using var dir = new TempDirectory();
        string packed = Pack(dir);
        int shards = Directory.GetFiles(packed, "*.shard").Length;
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        Assert.AreEqual(ExitCodes.Success, Cli.Run("sync", packed, bucket.Uri("ds")).ExitCode);
        await bucket.DeleteAsync("ds/shard-00002.shard");
        string local = dir.Combine("copy");
        Assert.AreEqual(ExitCodes.Success, Cli.Run("sync", packed, local).ExitCode);
        File.Delete(Path.Combine(local, "shard-00001.shard"));
        File.WriteAllBytes(Path.Combine(local, "shard-00003.shard"), new byte[10]);

        CliResult remote = Cli.Run("sync", packed, bucket.Uri("ds"));
        CliResult disk = Cli.Run("sync", packed, local);

        Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
        Assert.Contains($"1 copied", remote.Output);
        Assert.Contains($"{shards - 1} already there; manifest unchanged", remote.Output);
        Assert.AreEqual(ExitCodes.Success, disk.ExitCode, disk.ToString());
        Assert.Contains($"2 copied", disk.Output);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(packed, "shard-00003.shard")), File.ReadAllBytes(Path.Combine(local, "shard-00003.shard")));
    }

    [TestMethod]
    public async Task Run_CorruptChunkInLocalSource_ExitsThreeNamingChunkAndPublishesNothing()
    {
        using var dir = new TempDirectory();
        string packed = Pack(dir);
        Corrupt(Path.Combine(packed, "shard-00001.shard"));
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();

        CliResult r = Cli.Run("sync", packed, bucket.Uri("ds"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("shard-00001.shard", r.Error);
        Assert.Contains("shard 1, chunk 0", r.Error);
        Assert.Contains("CRC32C", r.Error);
        Assert.DoesNotContain("manifest.json", await bucket.ListKeysAsync("ds"));
        Assert.DoesNotContain("shard-00001.shard", await bucket.ListKeysAsync("ds"));
        Assert.IsEmpty(await bucket.ListUploadsAsync());
    }

    [TestMethod]
    public async Task Run_CorruptChunkInS3Source_ExitsThreeNamingObjectAndPublishesNothing()
    {
        using var dir = new TempDirectory();
        string packed = Pack(dir);
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        Assert.AreEqual(ExitCodes.Success, Cli.Run("sync", packed, bucket.Uri("ds")).ExitCode);
        string bad = dir.Combine("bad.shard");
        File.Copy(Path.Combine(packed, "shard-00002.shard"), bad);
        Corrupt(bad);
        await bucket.PutAsync("ds/shard-00002.shard", File.ReadAllBytes(bad));
        string local = dir.Combine("copy");

        CliResult r = Cli.Run("sync", bucket.Uri("ds"), local);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"{bucket.Uri("ds")}/shard-00002.shard", r.Error);
        Assert.Contains("shard 2, chunk 0", r.Error);
        Assert.IsFalse(File.Exists(Path.Combine(local, "manifest.json")));
        Assert.IsFalse(File.Exists(Path.Combine(local, "shard-00002.shard")));
    }

    [TestMethod]
    public async Task Run_DestinationHoldsAnotherDataset_ExitsTwoUnlessOverwrite()
    {
        using var dir = new TempDirectory();
        string first = Pack(dir, "first");
        string second = Pack(dir, "second", rows: 60);
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        Assert.AreEqual(ExitCodes.Success, Cli.Run("sync", first, bucket.Uri("ds")).ExitCode);

        CliResult refused = Cli.Run("sync", second, bucket.Uri("ds"));
        CliResult replaced = Cli.Run("sync", second, bucket.Uri("ds"), "--overwrite");

        Assert.AreEqual(ExitCodes.InvalidArguments, refused.ExitCode, refused.ToString());
        Assert.Contains("--overwrite", refused.Error);
        Assert.AreEqual(ExitCodes.Success, replaced.ExitCode, replaced.ToString());
        CollectionAssert.AreEqual(Directory.GetFiles(second).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray(), await bucket.ListKeysAsync("ds"), "the old dataset's extra shards are deleted");
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(second, "manifest.json")), await bucket.GetAsync("ds/manifest.json"));
    }

    [TestMethod]
    public void Run_SourceIsNotADataset_ExitsTwoNamingManifest()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("sync", dir.Path, dir.Combine("out"));

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("manifest.json", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")) && Directory.EnumerateFileSystemEntries(dir.Combine("out")).Any());
    }

    /// <summary>Packs <paramref name="rows"/> rows of 1 KiB into shards of about 64 KiB (four or more), uncompressed; returns the directory.</summary>
    internal static string Pack(TempDirectory dir, string name = "packed", int rows = Rows)
    {
        string input = dir.Combine(name + ".npy");
        var values = new int[rows * 256];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i * 7;
        }

        NpyWriter.Write<int>(input, "<i4", [rows, 256], values);
        string output = dir.Combine(name);
        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "x=" + input, "-o", output, "--codec", "none", "--chunk-size", "16K", "--shard-size", "64K", "-q");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        return output;
    }

    // Flips one byte of the first chunk, which starts at 4096.
    private static void Corrupt(string shard)
    {
        using FileStream f = File.Open(shard, FileMode.Open, FileAccess.ReadWrite);
        f.Position = 4096 + 100;
        int b = f.ReadByte();
        f.Position = 4096 + 100;
        f.WriteByte((byte)(b ^ 0xFF));
    }
}
