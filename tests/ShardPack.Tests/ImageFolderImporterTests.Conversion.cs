using ShardPack.Tests.Infrastructure;
using ShardStore.Images.Codecs;

namespace ShardPack.Tests;

// --store, --max-side and --jpeg-quality.
public sealed partial class ImageFolderImporterTests
{
    private static readonly (int Width, int Height)[] s_sizes = [(300, 123), (123, 300), (64, 64), (1000, 7), (7, 1000), (101, 100), (50, 40)];

    [TestMethod]
    public void Pack_MaxSide_ResizesLargerImagesKeepingAspectAndLeavesSmallerOnes()
    {
        using var dir = new TempDirectory();
        string root = WriteSizes(dir);

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--max-side", "64", "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Output, "resized 5 images to at most 64 pixels a side", r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual("64", dataset.Metadata["image.max_side"]);
        using var decoder = new ImageDecoder();
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            string path = System.Text.Encoding.UTF8.GetString(sample.Get<byte>("path"));
            (int width, int height) = SizeOf(path);
            ImageInfo info = decoder.ReadInfo(sample.Get<byte>("image"));
            Assert.AreEqual(ImageFormat.Jpeg, info.Format, path);
            Assert.IsLessThanOrEqualTo(64, Math.Max(info.Width, info.Height), path);
            if (Math.Max(width, height) <= 64)
            {
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(root, path)), sample.Get<byte>("image").ToArray(), $"{path} is small enough to keep");
                continue;
            }

            Assert.AreEqual(64, Math.Max(info.Width, info.Height), path);
            // The shorter side is the exact one rounded: within one pixel of the aspect ratio.
            double expectedShort = (double)Math.Min(width, height) * 64 / Math.Max(width, height);
            Assert.IsLessThanOrEqualTo(1.0, Math.Abs(Math.Min(info.Width, info.Height) - expectedShort), $"{path}: {info.Width} x {info.Height}");
            Assert.AreEqual(width > height, info.Width > info.Height, $"{path}: orientation");
        }
    }

    [TestMethod]
    public void Pack_MaxSide_ResizedPixelsCloseToTheSource()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("tree");
        // Linear ramps: any antialiased 4x reduction gives the source's value at each output pixel's centre.
        byte[] source = new byte[400 * 200 * 3];
        for (int y = 0; y < 200; y++)
        {
            for (int x = 0; x < 400; x++)
            {
                source[((y * 400) + x) * 3] = (byte)(x * 255 / 399);
                source[(((y * 400) + x) * 3) + 1] = (byte)(y * 255 / 199);
                source[(((y * 400) + x) * 3) + 2] = (byte)(255 - ((x + y) * 255 / 598));
            }
        }

        using (var encoder = new JpegEncoder(100, JpegSubsampling.Chroma444))
        {
            ImageTree.Write(root, "a/big.jpg", encoder.Encode(source, 400, 200));
        }

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--max-side", "100", "--store", "raw", "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        using SampleLease sample = dataset.ReadSample(0);
        Assert.AreEqual((50, 100), (sample.Get<int>("height")[0], sample.Get<int>("width")[0]));
        ReadOnlySpan<byte> resized = sample.Get<byte>("image");
        int worst = 0;
        for (int y = 2; y < 48; y++)
        {
            for (int x = 2; x < 98; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    // The centre of output pixel x lies between source pixels 4x+1 and 4x+2.
                    int i = ((((y * 4) + 1) * 400) + (x * 4) + 1) * 3 + c, below = i + (400 * 3);
                    double centre = (source[i] + source[i + 3] + source[below] + source[below + 3]) / 4.0;
                    worst = Math.Max(worst, (int)Math.Ceiling(Math.Abs(resized[(((y * 100) + x) * 3) + c] - centre)));
                }
            }
        }

        Assert.IsLessThanOrEqualTo(4, worst, "the resized ramps stray from the source");
    }

    [TestMethod]
    public void Pack_StoreRaw_PixelsEqualTheDecoderOutput()
    {
        using var dir = new TempDirectory();
        string root = WriteSizes(dir);
        ImageTree.WritePng(root, "png/photo.png");

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--store", "raw", "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual("{image:u8[*], label:i64[], height:i32[], width:i32[], path:u8[*]}", dataset.Schema.ToString());
        Assert.AreEqual("raw", dataset.Metadata["image.store"]);
        using var decoder = new ImageDecoder();
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            string path = System.Text.Encoding.UTF8.GetString(sample.Get<byte>("path"));
            byte[] file = File.ReadAllBytes(Path.Combine(root, path));
            ImageInfo info = decoder.ReadInfo(file);
            byte[] expected = new byte[info.Width * info.Height * 3];
            decoder.Decode(file, expected);
            Assert.AreEqual((info.Height, info.Width), (sample.Get<int>("height")[0], sample.Get<int>("width")[0]), path);
            CollectionAssert.AreEqual(expected, sample.Get<byte>("image").ToArray(), path);
        }
    }

    [TestMethod]
    public void Pack_StoreJpeg_KeepsJpegFilesAndEncodesPngAtTheQuality()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("tree");
        string jpeg = ImageTree.WriteJpeg(root, "a/photo.jpg", 96, 72);
        string png = ImageTree.WritePng(root, "b/photo.png");

        CliResult low = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("low"), "--store", "jpeg", "--jpeg-quality", "20", "--no-shuffle");
        CliResult high = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("high"), "--store", "jpeg", "--no-shuffle");

        Assert.AreEqual(ExitCodes.Success, low.ExitCode, low.ToString());
        Assert.AreEqual(ExitCodes.Success, high.ExitCode, high.ToString());
        StringAssert.Contains(high.Output, "encoded 1 images as JPEG again", high.ToString());
        using ShardDataset lowSet = ImageTree.Open(dir.Combine("low"));
        using ShardDataset highSet = ImageTree.Open(dir.Combine("high"));
        Assert.AreEqual("90", highSet.Metadata["image.jpeg_quality"]);
        using SampleLease keptJpeg = highSet.ReadSample(0);
        CollectionAssert.AreEqual(File.ReadAllBytes(jpeg), keptJpeg.Get<byte>("image").ToArray(), "a JPEG file is kept as it is");
        using SampleLease lowPng = lowSet.ReadSample(1);
        using SampleLease highPng = highSet.ReadSample(1);
        using var decoder = new ImageDecoder();
        byte[] pixels = new byte[96 * 72 * 3];
        decoder.Decode(File.ReadAllBytes(png), pixels);
        Assert.AreEqual(ImageFormat.Jpeg, ImageDecoder.DetectFormat(highPng.Get<byte>("image")));
        double lowError = MeanError(decoder, lowPng.Get<byte>("image"), pixels), highError = MeanError(decoder, highPng.Get<byte>("image"), pixels);
        Assert.IsLessThan(3.0, highError, "quality 90 is far from the PNG");
        Assert.IsGreaterThan(highError, lowError, "quality 20 is not worse than quality 90");
        Assert.IsLessThan(highPng.Get<byte>("image").Length, lowPng.Get<byte>("image").Length, "quality 20 is not smaller than quality 90");
    }

    [TestMethod]
    public void Pack_RealPhotographsWithMaxSide_DecodedSizeAtMostMaxSide()
    {
        string photos = Environment.GetEnvironmentVariable("SHARDSTORE_TEST_PHOTOS") ?? "/usr/lib/python3/dist-packages/skimage/data";
        string[] files = Directory.Exists(photos) ? Directory.GetFiles(photos, "*.*").Where(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal)).ToArray() : [];
        if (files.Length == 0)
        {
            Assert.Inconclusive($"No photographs in '{photos}': set SHARDSTORE_TEST_PHOTOS (.ci/run extracts them from Debian's python3-skimage).");
        }

        using var dir = new TempDirectory();
        string root = dir.Combine("tree");
        foreach (string file in files)
        {
            ImageTree.Write(root, $"{Path.GetFileNameWithoutExtension(file)}/{Path.GetFileName(file)}", File.ReadAllBytes(file));
        }

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--max-side", "160", "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual(files.Length, dataset.SampleCount);
        using var decoder = new ImageDecoder();
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            string path = System.Text.Encoding.UTF8.GetString(sample.Get<byte>("path"));
            ImageInfo original = decoder.ReadInfo(File.ReadAllBytes(Path.Combine(root, path)));
            ImageInfo stored = decoder.ReadInfo(sample.Get<byte>("image"));
            Assert.AreEqual(160, Math.Max(stored.Width, stored.Height), path);
            double expectedShort = (double)Math.Min(original.Width, original.Height) * 160 / Math.Max(original.Width, original.Height);
            Assert.IsLessThanOrEqualTo(1.0, Math.Abs(Math.Min(stored.Width, stored.Height) - expectedShort), path);
            byte[] pixels = new byte[stored.Width * stored.Height * 3];
            decoder.Decode(sample.Get<byte>("image"), pixels);
        }
    }

    private static double MeanError(ImageDecoder decoder, ReadOnlySpan<byte> jpeg, byte[] expected)
    {
        byte[] actual = new byte[expected.Length];
        decoder.Decode(jpeg, actual);
        long sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            sum += Math.Abs(actual[i] - expected[i]);
        }

        return (double)sum / expected.Length;
    }

    private static string WriteSizes(TempDirectory dir)
    {
        string root = dir.Combine("tree");
        for (int i = 0; i < s_sizes.Length; i++)
        {
            (int w, int h) = s_sizes[i];
            ImageTree.WriteJpeg(root, $"{(w > h ? "wide" : "tall")}/{w}x{h}.jpg", w, h, seed: i);
        }

        return root;
    }

    private static (int Width, int Height) SizeOf(string path)
    {
        string[] parts = Path.GetFileNameWithoutExtension(path).Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
