using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;
using ShardStore.Images.Tests.Infrastructure;
using ShardStore.Images.Tests.Transforms.Infrastructure;
using ShardStore.Images.Transforms;
using ShardStore.Transforms;

namespace ShardStore.Images.Tests.Transforms;

[TestClass]
public sealed partial class ImageTransformTests
{
    private const ulong Seed = 1515;

    [ClassCleanup]
    public static void DeleteGenerated() => TransformPhotos.DeleteGenerated();

    [TestMethod]
    public void Constructor_BadOptions_Throw()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => new ImageTransform(null!));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageTransform(new ImageTransformOptions { InputField = "image", Image = new() { Width = 0, Height = 32 } }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageTransform(new ImageTransformOptions { InputField = "image", Image = new() { Width = 32, Height = 32, FlipProbability = 1.5 } }));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageTransform(new ImageTransformOptions { InputField = "image", Image = new() { Width = 32, Height = 32 }, OutputField = "" }));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageTransform(new ImageTransformOptions { InputField = "", Image = new() { Width = 32, Height = 32 } }));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageTransform(new ImageTransformOptions
        {
            InputField = "image",
            Image = new() { Width = 32, Height = 32, DType = DType.U8, Mean = ImageTransformOptions.ImageNetMean, Std = ImageTransformOptions.ImageNetStd },
        }));
    }

    [TestMethod]
    [DataRow(ImageLayout.Chw, DType.F16, "{image:f16[3,48,64], label:i64[]}")]
    [DataRow(ImageLayout.Hwc, DType.U8, "{image:u8[48,64,3], label:i64[]}")]
    public void Create_Layout_LoaderSchemaHasTheImageShape(ImageLayout layout, DType dtype, string expected)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, [.. SmallFixtures.Names.Select(SmallFixtures.Read)]));
        var transform = new ImageTransform(new ImageTransformOptions
        {
            InputField = "image",
            Image = new()
            {
                Width = 64, Height = 48, Layout = layout, DType = dtype,
                Mean = dtype == DType.U8 ? null : ImageTransformOptions.ImageNetMean, Std = dtype == DType.U8 ? null : ImageTransformOptions.ImageNetStd,
            },
        });

        using ShardLoader loader = ShardLoader.Create(ds, new ShardLoaderOptions { BatchSize = 4, DecodeWorkers = 1, Transforms = [transform] });

        Assert.AreEqual(expected, loader.Schema.ToString());
        Assert.AreEqual(transform.Output, loader.Schema[0]);
    }

    [TestMethod]
    public void Bind_InputMissingOrNotVariableBytes_ThrowsArgument()
    {
        var transform = new ImageTransform(Options(32, 32));
        Assert.ThrowsExactly<ArgumentException>(() => transform.Bind(new Schema(FieldSpec.Bytes("other"))));
        Assert.ThrowsExactly<ArgumentException>(() => transform.Bind(new Schema(FieldSpec.Fixed("image", DType.U8, 16))));
        Assert.ThrowsExactly<ArgumentException>(() => transform.Bind(new Schema(FieldSpec.Variable("image", DType.I32))));
        TransformSignature signature = transform.Bind(new Schema(FieldSpec.Bytes("image"), FieldSpec.Fixed("label", DType.I64)));
        CollectionAssert.AreEqual(new[] { "image" }, signature.Inputs.ToArray());
        Assert.AreEqual(transform.Output, signature.Outputs.Single());
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void NextBatch_RandomResizedCropWithFlip_EqualsDecoderAndAugmenterComposedByHand(bool scaledDecoding)
    {
        TransformPhotos photos = TransformPhotos.Get();
        byte[][] images = [.. photos.Jpegs.Select(p => p.Read())];
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, images));
        ImageTransformOptions options = Options(64, 48) with { ScaledDecoding = scaledDecoding };
        ShardLoaderOptions loaderOptions = new() { BatchSize = 5, Seed = Seed, Epochs = 2, DecodeWorkers = 2, Transforms = [new ImageTransform(options)] };

        Dictionary<(int Epoch, long Sample), byte[]> rows = LoaderRuns.Rows(LoaderRuns.Run(ds, loaderOptions), LoaderSchema(ds, loaderOptions));

        var augmenter = new ImageAugmenter(AugmenterOptions(options));
        using var decoder = new ImageDecoder();
        int scaled = 0;
        foreach (((int epoch, long sample), byte[] row) in rows)
        {
            var random = new TransformRandom(Seed, epoch, sample, 0);
            ImageInfo info = decoder.ReadInfo(images[sample]);
            ImageAugmentation plan = augmenter.Sample(info.Width, info.Height, ref random);
            (int minWidth, int minHeight) = scaledDecoding ? PowerOfTwoScaled(info, augmenter.GetMinimumSourceSize(plan)) : (0, 0);
            byte[] decoded = new byte[info.Width * info.Height * 3];
            ImageSize size = decoder.Decode(images[sample], decoded, minWidth, minHeight);
            scaled += size.Width < info.Width ? 1 : 0;
            Assert.IsTrue(size.Width == info.Width || new[] { 2, 4, 8 }.Any(d => size.Width == (info.Width + d - 1) / d), $"sample {sample}: decoded {size.Width} wide of {info.Width}, a power-of-two scale");
            byte[] expected = new byte[augmenter.OutputByteCount + sizeof(long)];
            augmenter.Apply(plan, decoded.AsSpan(0, (int)size.RgbByteCount), size.Width, size.Height, expected);
            BitConverter.TryWriteBytes(expected.AsSpan(augmenter.OutputByteCount), sample * 7);

            CollectionAssert.AreEqual(expected, row, $"epoch {epoch}, sample {sample} ({photos.Jpegs[(int)sample].Name}, {info.Width} x {info.Height})");
        }

        Assert.HasCount(2 * images.Length, rows);
        if (scaledDecoding)
        {
            Assert.IsGreaterThan(0, scaled, "some samples were decoded at a reduced DCT scale");
        }
        else
        {
            Assert.AreEqual(0, scaled);
        }
    }

    [TestMethod]
    public void NextBatch_CenterCropNoFlip_MatchesPilDecodeCropAndResize()
    {
        TransformPhotos photos = TransformPhotos.Get();
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, [.. photos.Jpegs.Select(p => p.Read())]));
        ImageTransformOptions centred = Options(56, 56);
        ImageTransformOptions options = centred with { Image = centred.Image with { CropMode = CropMode.Center, FlipProbability = 0, DType = DType.U8, Layout = ImageLayout.Hwc, Mean = null, Std = null }, ScaledDecoding = false };
        ShardLoaderOptions loaderOptions = new() { BatchSize = 8, Order = SampleOrder.Sequential, DecodeWorkers = 1, Transforms = [new ImageTransform(options)] };

        byte[] actual = [.. LoaderRuns.Run(ds, loaderOptions).SelectMany(b => b.Fields[0])];
        byte[] expected = photos.PilCenterCrops(photos.Jpegs, 56, 56, 0.875);

        // Same decode (PIL links the same libjpeg-turbo), same crop; PIL rounds to u8 between its two resize passes and
        // uses fixed-point weights, so the pixels agree within 2 levels, 0.5 on average.
        Assert.HasCount(expected.Length, actual);
        int worst = 0;
        long total = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(expected[i] - actual[i]);
            worst = Math.Max(worst, d);
            total += d;
        }

        Assert.IsLessThanOrEqualTo(2, worst, $"largest difference; mean {(double)total / expected.Length:F3}");
        Assert.IsLessThanOrEqualTo(0.5, (double)total / expected.Length, "mean difference");
    }

    [TestMethod]
    public void NextBatch_GrayCmykAndPngImages_ComeOutAsPilRgbAugmented()
    {
        TransformPhotos photos = TransformPhotos.Get();
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, [.. photos.Colors.Select(p => p.Read())]));
        ImageTransformOptions small = Options(40, 30);
        ImageTransformOptions options = small with { Image = small.Image with { DType = DType.U8, Layout = ImageLayout.Hwc, Mean = null, Std = null }, ScaledDecoding = false };
        ShardLoaderOptions loaderOptions = new() { BatchSize = 3, Seed = Seed, DecodeWorkers = 2, Transforms = [new ImageTransform(options)] };

        Dictionary<(int Epoch, long Sample), byte[]> rows = LoaderRuns.Rows(LoaderRuns.Run(ds, loaderOptions), LoaderSchema(ds, loaderOptions));

        var augmenter = new ImageAugmenter(AugmenterOptions(options));
        Assert.HasCount(photos.Colors.Count, rows);
        foreach (((int epoch, long sample), byte[] row) in rows)
        {
            TransformPhotos.Photo photo = photos.Colors[(int)sample];
            var random = new TransformRandom(Seed, epoch, sample, 0);
            byte[] expected = new byte[augmenter.OutputByteCount];
            augmenter.Apply(File.ReadAllBytes(photo.ReferencePath), photo.Width, photo.Height, ref random, expected);
            CollectionAssert.AreEqual(expected, row[..augmenter.OutputByteCount], photo.Name);
            if (photo.Name.StartsWith("gray", StringComparison.Ordinal))
            {
                for (int p = 0; p < expected.Length; p += 3)
                {
                    Assert.IsTrue(row[p] == row[p + 1] && row[p] == row[p + 2], $"{photo.Name}: pixel {p / 3} is gray in all three channels");
                }
            }
        }
    }

    private static ImageTransformOptions Options(int width, int height) => new()
    {
        InputField = "image",
        Image = new()
        {
            Width = width,
            Height = height,
            FlipProbability = 0.5,
            DType = DType.F16,
            Mean = ImageTransformOptions.ImageNetMean,
            Std = ImageTransformOptions.ImageNetStd,
        },
    };

    /// <summary>The size of the smallest of the 1/8, 1/4 and 1/2 DCT scales whose decode covers <paramref name="need"/>, or (0, 0) for full size.</summary>
    private static (int Width, int Height) PowerOfTwoScaled(ImageInfo info, (int Width, int Height) need)
    {
        foreach (int d in new[] { 8, 4, 2 })
        {
            (int w, int h) = ((info.Width + d - 1) / d, (info.Height + d - 1) / d);
            if (w >= need.Width && h >= need.Height)
            {
                return (w, h);
            }
        }

        return (0, 0);
    }

    private static ImageAugmenterOptions AugmenterOptions(ImageTransformOptions o) => o.Image;

    private static Schema LoaderSchema(ShardDataset ds, ShardLoaderOptions options)
    {
        using ShardLoader loader = ShardLoader.Create(ds, options with { DecodeWorkers = 1, Epochs = 1 });
        return loader.Schema;
    }
}
