using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>Packing to object storage: -o s3://bucket/prefix publishes the same files a local pack writes, manifest last; a failed pack leaves nothing.</summary>
public sealed partial class PackCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Run_OutputS3FromNpy_SyncsBackToTheSameDatasetAsALocalPack()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("x.npy");
        NpyWriter.Write<int>(input, "<i4", [300, 256], Enumerable.Range(0, 300 * 256).ToArray());
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        string[] common = ["--from", "npy", "--field", "x=" + input, "--chunk-size", "16K", "--shard-size", "64K", "--identity", "0123456789abcdef0123456789abcdef"];

        CliResult remote = Cli.Run(["pack", .. common, "-o", bucket.Uri("ds")]);
        CliResult local = Cli.Run(["pack", .. common, "-o", dir.Combine("local"), "-q"]);
        CliResult back = Cli.Run("sync", bucket.Uri("ds"), dir.Combine("back"), "-q");

        Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
        Assert.Contains($"packed 300 samples into {bucket.Uri("ds")}", remote.Output);
        Assert.AreEqual(ExitCodes.Success, local.ExitCode, local.ToString());
        Assert.AreEqual(ExitCodes.Success, back.ExitCode, back.ToString());
        Assert.IsEmpty(await bucket.ListUploadsAsync());
        using ShardDataset fromS3 = ShardDataset.Open(dir.Combine("back"));
        using ShardDataset fromDisk = ShardDataset.Open(dir.Combine("local"));
        Assert.IsGreaterThan(3, fromS3.Shards.Count);
        Assert.IsTrue(fromS3.Shards.All(s => s.FileName == $"shard-{s.Index:D5}-0123456789abcdef0123456789abcdef.shard"), "shard objects carry the identity");
        for (int i = 0; i < fromS3.Shards.Count; i++)
        {
            // The shards are byte-identical; only their names (in the manifest) differ.
            CollectionAssert.AreEqual(
                File.ReadAllBytes(Path.Combine(dir.Combine("local"), fromDisk.Shards[i].FileName)),
                File.ReadAllBytes(Path.Combine(dir.Combine("back"), fromS3.Shards[i].FileName)),
                fromS3.Shards[i].FileName);
        }

        Assert.IsEmpty(fromS3.Verify(TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task Run_OutputS3FromCsvAndRaw_Publishes()
    {
        using var dir = new TempDirectory();
        string csv = dir.Combine("in.csv");
        File.WriteAllText(csv, "a,b\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"{i},{i * 2}\n")));
        string raw = dir.Combine("in.bin");
        File.WriteAllBytes(raw, new byte[64 * 1000]);
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();

        CliResult fromCsv = Cli.Run("pack", "--from", "csv", "--input", csv, "--field", "x:i32:a+b", "-o", bucket.Uri("csv"), "-q");
        CliResult fromRaw = Cli.Run("pack", "--from", "raw", "--input", raw, "--field", "x:u8:64", "-o", bucket.Uri("raw"), "-q");

        Assert.AreEqual(ExitCodes.Success, fromCsv.ExitCode, fromCsv.ToString());
        Assert.AreEqual(ExitCodes.Success, fromRaw.ExitCode, fromRaw.ToString());
        Assert.Contains("manifest.json", await bucket.ListKeysAsync("csv"));
        Assert.Contains("manifest.json", await bucket.ListKeysAsync("raw"));
        Assert.Contains("\"sampleCount\": 1000", Encoding.UTF8.GetString(await bucket.GetAsync("raw/manifest.json")));
    }

    [TestMethod]
    public async Task Run_OutputS3BadRowAfterShardsUploaded_ExitsThreeAndLeavesNothing()
    {
        using var dir = new TempDirectory();
        string csv = dir.Combine("bad.csv");
        File.WriteAllText(csv, "a\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i}\n")) + "oops\n");
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();

        CliResult r = Cli.Run("pack", "--from", "csv", "--input", csv, "--field", "x:i64:a", "-o", bucket.Uri("ds"), "--chunk-size", "4K", "--shard-size", "16K", "-q");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("bad.csv", r.Error);
        Assert.IsEmpty(await bucket.ListKeysAsync("ds"), "no shard object and no manifest stays");
        Assert.IsEmpty(await bucket.ListUploadsAsync());
    }

    [TestMethod]
    public async Task Run_OutputS3Interrupted_ExitsWithSignalCodeAndLeavesNothing()
    {
        using var dir = new TempDirectory();

        // 64 GiB of zeros in a sparse file: the pack is still running whenever the signal comes.
        string input = dir.Combine("zeros.bin");
        using (FileStream f = File.Create(input))
        {
            f.SetLength(64L << 30);
        }

        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        using var interruption = new Interruption();
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["pack", "--from", "raw", "--input", input, "--field", "x:u8:4096", "--codec", "none", "--chunk-size", "64K", "--shard-size", "1M", "-o", bucket.Uri("ds"), "-q"];
        Task<int> pack = Task.Run(() => ShardPackApp.Run(args, output, error, interruption));

        // Signalled once the first shard object is up, while the next ones upload.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await bucket.ListKeysAsync("ds")).Count == 0)
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(60), waited.Elapsed, $"no shard object appeared within 60 s: {error}");
            Assert.IsFalse(pack.IsCompleted, $"the pack ended before the signal: {error}");
            await Task.Delay(20);
        }

        interruption.Request(System.Runtime.InteropServices.PosixSignal.SIGINT);
        int code = await pack.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.AreEqual(ExitCodes.Interrupted, code, error.ToString());
        Assert.IsEmpty(await bucket.ListKeysAsync("ds"), "no shard object and no manifest stays");
        Assert.IsEmpty(await bucket.ListUploadsAsync(), "the uploads in flight were aborted");
    }

    [TestMethod]
    public async Task Run_OutputS3HoldsObjects_ExitsOneWithoutOverwrite()
    {
        using var dir = new TempDirectory();
        string raw = dir.Combine("in.bin");
        File.WriteAllBytes(raw, new byte[640]);
        using S3TestBucket bucket = await S3TestBucket.StartAsync();
        bucket.Use();
        await bucket.PutAsync("ds/notes.txt", [1]);

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", raw, "--field", "x:u8:64", "-o", bucket.Uri("ds"), "-q");

        Assert.AreNotEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.Contains("notes.txt", r.Error);
        CollectionAssert.AreEqual(new[] { "notes.txt" }, await bucket.ListKeysAsync("ds"));
    }
}
