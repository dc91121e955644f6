using System.Diagnostics;
using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;
using ShardStore.Images.Tests.Transforms.Infrastructure;
using ShardStore.Images.Transforms;
using ShardStore.Transforms;

namespace ShardStore.Images.Tests.Transforms;

/// <summary>TFRecords of encoded JPEGs, packed by <c>shardpack pack --from tfrecord</c>, go through the same transform.</summary>
public sealed partial class ImageTransformTests
{
    [TestMethod]
    public void NextBatch_TfRecordOfJpegsPackedByShardpack_SameImagesAsComposedByHand()
    {
        TransformPhotos photos = TransformPhotos.Get();
        byte[][] images = [.. photos.Jpegs.Take(12).Select(p => p.Read())];
        using var dir = new TempDirectory();
        string input = dir.Combine("images.tfrecord");
        TfRecordImages.Write(input, images);
        string output = dir.Combine("packed");
        RunShardpack("pack", "--from", "tfrecord", "--input", input, "-o", output, "--quiet");

        using ShardDataset ds = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = ShardStore.Codecs.NativeCodecs.Provider });
        Assert.AreEqual("{image:u8[*], label:i64[]}", ds.Schema.ToString(), "a bytes feature lands as a variable u8 field");
        ImageTransformOptions options = Options(64, 64);
        ShardLoaderOptions loaderOptions = new() { BatchSize = 4, Seed = Seed, DecodeWorkers = 2, Transforms = [new ImageTransform(options)] };
        Dictionary<(int Epoch, long Sample), byte[]> rows = LoaderRuns.Rows(LoaderRuns.Run(ds, loaderOptions), LoaderSchema(ds, loaderOptions));

        var augmenter = new ImageAugmenter(AugmenterOptions(options));
        using var decoder = new ImageDecoder();
        Assert.HasCount(images.Length, rows);
        foreach (((int epoch, long sample), byte[] row) in rows)
        {
            var random = new TransformRandom(Seed, epoch, sample, 0);
            ImageInfo info = decoder.ReadInfo(images[sample]);
            ImageAugmentation plan = augmenter.Sample(info.Width, info.Height, ref random);
            (int minWidth, int minHeight) = PowerOfTwoScaled(info, augmenter.GetMinimumSourceSize(plan));
            byte[] decoded = new byte[info.Width * info.Height * 3];
            ImageSize size = decoder.Decode(images[sample], decoded, minWidth, minHeight);
            byte[] expected = new byte[augmenter.OutputByteCount];
            augmenter.Apply(plan, decoded.AsSpan(0, (int)size.RgbByteCount), size.Width, size.Height, expected);

            CollectionAssert.AreEqual(expected, row[..expected.Length], $"sample {sample}");
            Assert.AreEqual(sample * 7, BitConverter.ToInt64(row, expected.Length), $"sample {sample}: label");
        }
    }

    private static void RunShardpack(params string[] args)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "shardpack.exe" : "shardpack");
        if (!File.Exists(exe))
        {
            Assert.Inconclusive($"The shardpack executable is not beside the tests ({AppContext.BaseDirectory}).");
        }

        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new AssertFailedException($"could not start {exe}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"shardpack {string.Join(' ', args)} did not finish within 2 minutes.");
        }

        Assert.AreEqual(0, process.ExitCode, $"shardpack {string.Join(' ', args)}:\n{stdout.GetAwaiter().GetResult()}\n{stderr.GetAwaiter().GetResult()}");
    }
}
