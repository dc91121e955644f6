using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>
/// The dataset commands over an <c>s3://</c> copy of a local dataset print what they print for the local one. These set
/// the process environment (the AWS configuration chain), so they do not run in parallel with other tests.
/// </summary>
public sealed partial class DatasetSourceTests
{
    [TestMethod]
    [DoNotParallelize]
    public async Task Info_S3Dataset_PrintsWhatTheLocalCopyPrints()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();

        foreach (string[] extra in (string[][])[[], ["--json"]])
        {
            CliResult local = Cli.Run(["info", s3.LocalPath, .. extra]);
            CliResult remote = Cli.Run(["info", s3.Location, .. extra]);

            Assert.AreEqual(ExitCodes.Success, local.ExitCode, local.ToString());
            Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
            Assert.AreEqual(WithoutLocation(local.Output), WithoutLocation(remote.Output), remote.ToString());
            StringAssert.Contains(remote.Output, "s3 test", remote.ToString());
        }
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Verify_S3Dataset_PrintsWhatTheLocalCopyPrints()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();

        CliResult local = Cli.Run("verify", s3.LocalPath);
        CliResult remote = Cli.Run("verify", s3.Location);

        Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
        Assert.AreEqual(local.Output, remote.Output, remote.ToString());
        StringAssert.Contains(remote.Output, $"ok: {S3DatasetCopy.SampleCount} samples", remote.ToString());
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Cat_S3Dataset_PrintsWhatTheLocalCopyPrints()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();

        foreach (int index in (int[])[0, 1, 350, S3DatasetCopy.SampleCount - 1])
        {
            foreach (string[] extra in (string[][])[[], ["--json"]])
            {
                CliResult local = Cli.Run(["cat", s3.LocalPath, "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);
                CliResult remote = Cli.Run(["cat", s3.Location, "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);

                Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
                Assert.AreEqual(local.Output, remote.Output, $"sample {index} {string.Join(' ', extra)}");
            }
        }
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Cat_S3DatasetThroughCacheDirectory_PrintsWhatTheLocalCopyPrintsTwice()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string cache = s3.Combine("cache");
        CliResult local = Cli.Run("cat", s3.LocalPath, "--index", "123", "--json");

        CliResult cold = Cli.Run("cat", s3.Location, "--index", "123", "--json", "--cache-dir", cache, "--cache-limit", "1M");
        CliResult warm = Cli.Run("cat", s3.Location, "--index", "123", "--json", "--cache-dir", cache, "--cache-limit", "1M");

        Assert.AreEqual(ExitCodes.Success, cold.ExitCode, cold.ToString());
        Assert.AreEqual(ExitCodes.Success, warm.ExitCode, warm.ToString());
        Assert.AreEqual(local.Output, cold.Output, cold.ToString());
        Assert.AreEqual(local.Output, warm.Output, warm.ToString());
        Assert.IsTrue(Directory.Exists(cache), "the cache directory was created");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Export_S3Dataset_WritesTheFilesOfTheLocalCopy()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string fromLocal = s3.Combine("local-npy"), fromRemote = s3.Combine("remote-npy");

        CliResult local = Cli.Run("export", s3.LocalPath, "-o", fromLocal, "--to", "npy");
        CliResult remote = Cli.Run("export", s3.Location, "-o", fromRemote, "--to", "npy");

        Assert.AreEqual(ExitCodes.Success, local.ExitCode, local.ToString());
        Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
        Assert.AreEqual(local.Error, remote.Error, "the same fields skipped");
        string[] names = [.. Directory.GetFiles(fromLocal).Select(Path.GetFileName).Order()!];
        CollectionAssert.AreEqual(names, Directory.GetFiles(fromRemote).Select(Path.GetFileName).Order().ToArray());
        Assert.HasCount(2, names);
        foreach (string name in names)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(fromLocal, name)), File.ReadAllBytes(Path.Combine(fromRemote, name)), name);
        }
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Order_S3Dataset_PrintsWhatTheLocalCopyPrints()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string[] options = ["--order", "window", "--seed", "7", "--epoch", "2", "--rank", "1", "--world-size", "2", "--batch-size", "32", "--batches"];

        CliResult local = Cli.Run(["order", s3.LocalPath, .. options]);
        CliResult remote = Cli.Run(["order", s3.Location, .. options]);

        Assert.AreEqual(ExitCodes.Success, remote.ExitCode, remote.ToString());
        Assert.AreEqual(local.Output, remote.Output, remote.ToString());
        Assert.IsFalse(string.IsNullOrWhiteSpace(remote.Output), "a plan was printed");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Verify_S3ShardCorrupted_ExitsBadDataNamingTheChunk()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string shard = Directory.EnumerateFiles(s3.LocalPath, "*.shard", SearchOption.AllDirectories).Order().First();
        string name = Path.GetRelativePath(s3.LocalPath, shard).Replace(Path.DirectorySeparatorChar, '/');
        byte[] bytes = File.ReadAllBytes(shard);
        // Chunks start after the header page: byte 100 of the first chunk.
        bytes[4096 + 100] ^= 0xFF;
        await s3.PutAsync(name, bytes);

        CliResult r = Cli.Run("verify", s3.Location);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, Path.GetFileName(shard), r.ToString());
        StringAssert.Contains(r.Error, "chunk 0", r.ToString());
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Info_S3BucketMissing_ExitsBadDataNamingTheLocation()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string location = "s3://no-such-bucket-" + Guid.NewGuid().ToString("N")[..8] + "/datasets/train";

        CliResult r = Cli.Run("info", location);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, location, r.ToString());
        Assert.HasCount(1, r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), r.ToString());
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Info_S3PrefixWithoutDataset_ExitsBadDataNamingTheLocation()
    {
        using S3DatasetCopy s3 = await S3DatasetCopy.CreateAsync();
        string location = $"s3://{s3.Bucket}/datasets/none";

        CliResult r = Cli.Run("info", location);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, location, r.ToString());
    }

    // The local path and the s3:// URI are the only difference: info's "dataset" line, the JSON "directory" property.
    private static string WithoutLocation(string output) =>
        string.Join('\n', output.ReplaceLineEndings("\n").Split('\n').Where(l => !l.StartsWith("dataset ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("\"directory\":", StringComparison.Ordinal)));
}
