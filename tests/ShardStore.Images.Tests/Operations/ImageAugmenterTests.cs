using ShardStore.Images.Operations;
using ShardStore.Images.Tests.Operations.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Images.Tests.Operations;

[TestClass]
public sealed class ImageAugmenterTests
{
    private const int SourceWidth = 300;
    private const int SourceHeight = 200;

    private static readonly float[] s_mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_std = [0.229f, 0.224f, 0.225f];

    private static ImageAugmenterOptions Training(DType dtype = DType.F16, ImageLayout layout = ImageLayout.Chw) => new()
    {
        Width = 64,
        Height = 48,
        FlipProbability = 0.5,
        DType = dtype,
        Layout = layout,
        Mean = dtype == DType.U8 ? null : s_mean,
        Std = dtype == DType.U8 ? null : s_std,
    };

    [TestMethod]
    public void Apply_SameKey_SameBytesAcrossInstances()
    {
        byte[] source = TestImages.Natural(SourceWidth, SourceHeight, 1);
        var first = new ImageAugmenter(Training());
        var second = new ImageAugmenter(Training());
        for (int i = 0; i < 20; i++)
        {
            byte[] a = Apply(first, source, new TransformRandom(3, 1, i, 0));
            byte[] b = Apply(second, source, new TransformRandom(3, 1, i, 0));
            CollectionAssert.AreEqual(a, b);
            if (i > 0)
            {
                CollectionAssert.AreNotEqual(Apply(first, source, new TransformRandom(3, 1, i - 1, 0)), a, "Different samples should differ.");
            }
        }
    }

    [TestMethod]
    [DataRow(DType.U8, ImageLayout.Hwc)]
    [DataRow(DType.F16, ImageLayout.Chw)]
    [DataRow(DType.BF16, ImageLayout.Hwc)]
    [DataRow(DType.F32, ImageLayout.Chw)]
    public void Apply_EqualsCropResizeFlipThenWrite(DType dtype, ImageLayout layout)
    {
        byte[] source = TestImages.Natural(SourceWidth, SourceHeight, 2);
        ImageAugmenterOptions options = Training(dtype, layout);
        var augmenter = new ImageAugmenter(options);
        var writer = new ImageOutputWriter(dtype, layout, options.Mean?.ToArray(), options.Std?.ToArray());
        int flips = 0;
        for (int i = 0; i < 16; i++)
        {
            var random = new TransformRandom(5, 0, i, 1);
            var draws = random;
            CropRect crop = ImageGeometry.RandomResizedCrop(SourceWidth, SourceHeight, ref draws);
            bool flip = ImageGeometry.HorizontalFlip(ref draws, 0.5);
            flips += flip ? 1 : 0;

            byte[] resized = new byte[64 * 48 * 3];
            new ImageResizer().Resize(source, SourceWidth, SourceHeight, crop, resized, 64, 48);
            byte[] expected = new byte[augmenter.OutputByteCount];
            writer.Write(resized, 64, 48, expected, flip);

            CollectionAssert.AreEqual(expected, Apply(augmenter, source, random), $"Sample {i}: {crop}, flip {flip}.");
        }

        Assert.IsTrue(flips is > 0 and < 16, "Both flipped and unflipped samples should occur.");
    }

    [TestMethod]
    public void Sample_Center_KeepsFractionOfTheLargestRegionOfTheOutputRatio()
    {
        var augmenter = new ImageAugmenter(new() { Width = 224, Height = 224, CropMode = CropMode.Center });
        var random = new TransformRandom(0, 0, 0, 0);
        var untouched = random;
        ImageAugmentation plan = augmenter.Sample(500, 375, ref random);

        // 375 * 0.875 = 328.125 -> 328, centred: (500 - 328) / 2 = 86, (375 - 328) / 2 = 23.5 -> 24.
        Assert.AreEqual(new ImageAugmentation(500, 375, new CropRect(86, 24, 328, 328), false), plan);
        Assert.AreEqual(untouched.NextUInt64(), random.NextUInt64(), "A centre crop without flips draws nothing.");
    }

    [TestMethod]
    public void Apply_NoCropSameSize_WritesTheImage()
    {
        byte[] source = TestImages.Noise(32, 24, 3);
        var augmenter = new ImageAugmenter(new() { Width = 32, Height = 24, CropMode = CropMode.None, Layout = ImageLayout.Hwc, FlipProbability = 1 });
        byte[] output = Apply(augmenter, source, new TransformRandom(0, 0, 0, 0), 32, 24);
        CollectionAssert.AreEqual(ReferenceImageOps.Flip(source, 32, 24), output);
    }

    [TestMethod]
    public void GetMinimumSourceSize_Plan_ScaledCropStillCoversOutput()
    {
        var augmenter = new ImageAugmenter(Training());
        for (int i = 0; i < 500; i++)
        {
            var random = new TransformRandom(8, 0, i, 0);
            ImageAugmentation plan = augmenter.Sample(2000, 1500, ref random);
            (int width, int height) = augmenter.GetMinimumSourceSize(plan);
            Assert.IsTrue(width <= 2000 && height <= 1500, $"{width} x {height} exceeds the image.");
            double scaledWidth = plan.Crop.Width * (double)width / 2000;
            double scaledHeight = plan.Crop.Height * (double)height / 1500;
            Assert.IsTrue(scaledWidth >= 64 - 1e-9 && scaledHeight >= 48 - 1e-9, $"{plan.Crop} at {width} x {height} is {scaledWidth} x {scaledHeight}.");
            (int all, int allHeight) = augmenter.GetMinimumSourceSize(2000, 1500);
            Assert.IsTrue(all >= width && allHeight >= height, $"The bound for every crop, {all} x {allHeight}, is below {width} x {height}.");
        }
    }

    [TestMethod]
    public void GetMinimumSourceSize_SmallImage_IsTheImage()
    {
        var augmenter = new ImageAugmenter(new() { Width = 224, Height = 224 });
        Assert.AreEqual((100, 80), augmenter.GetMinimumSourceSize(100, 80));
        var center = new ImageAugmenter(new() { Width = 224, Height = 224, CropMode = CropMode.None });
        Assert.AreEqual((448, 224), center.GetMinimumSourceSize(1792, 896));
    }

    [TestMethod]
    public void Apply_ReducedDecode_CloseToFullSizeDecode()
    {
        byte[] full = TestImages.Natural(400, 300, 4);
        byte[] half = new byte[200 * 150 * 3];
        new ImageResizer().Resize(full, 400, 300, CropRect.Full(400, 300), half, 200, 150);
        var augmenter = new ImageAugmenter(new() { Width = 32, Height = 32, Layout = ImageLayout.Hwc });
        var random = new TransformRandom(1, 0, 0, 0);
        ImageAugmentation plan = augmenter.Sample(400, 300, ref random);
        byte[] fromFull = new byte[augmenter.OutputByteCount];
        byte[] fromHalf = new byte[augmenter.OutputByteCount];
        augmenter.Apply(plan, full, 400, 300, fromFull);
        augmenter.Apply(plan, half, 200, 150, fromHalf);
        double mean = fromFull.Zip(fromHalf, (a, b) => Math.Abs(a - b)).Average();
        Assert.IsLessThan(6.0, mean, $"Mean difference {mean:F2} between a full-size and a half-size decode.");
    }

    [TestMethod]
    public void Apply_AfterFirstImage_AllocatesNothing()
    {
        byte[] source = TestImages.Natural(SourceWidth, SourceHeight, 5);
        var augmenter = new ImageAugmenter(Training());
        byte[] output = new byte[augmenter.OutputByteCount];
        var random = new TransformRandom(0, 0, 0, 0);
        augmenter.Apply(source, SourceWidth, SourceHeight, ref random, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 50; i++)
        {
            random = new TransformRandom(0, 0, i, 0);
            augmenter.Apply(source, SourceWidth, SourceHeight, ref random, output);
        }

        // Later images may need wider scratch than the first; at most a few buffers grow, never one per image.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsLessThan(64 * 1024, allocated, $"{allocated} bytes allocated over 49 images.");
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 50; i++)
        {
            random = new TransformRandom(0, 0, i, 0);
            augmenter.Apply(source, SourceWidth, SourceHeight, ref random, output);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before, "Replaying the same images allocated.");
    }

    [TestMethod]
    public void Constructor_BadOptions_Throw()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageAugmenter(new() { Width = 0, Height = 10 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageAugmenter(new() { Width = 10, Height = 10, FlipProbability = 2 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageAugmenter(new() { Width = 10, Height = 10, MinScale = 0.9, MaxScale = 0.1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageAugmenter(new() { Width = 10, Height = 10, CenterCropFraction = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageAugmenter(new() { Width = 10, Height = 10, CropMode = (CropMode)9 }));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageAugmenter(new() { Width = 10, Height = 10, Mean = s_mean, Std = s_std }));
    }

    [TestMethod]
    public void Apply_ShortBuffers_Throw()
    {
        var augmenter = new ImageAugmenter(new() { Width = 8, Height = 8 });
        var random = new TransformRandom(0, 0, 0, 0);
        Assert.ThrowsExactly<ArgumentException>(() => augmenter.Apply(new byte[10], 4, 4, ref random, new byte[augmenter.OutputByteCount]));
        Assert.ThrowsExactly<ArgumentException>(() => augmenter.Apply(new byte[48], 4, 4, ref random, new byte[augmenter.OutputByteCount - 1]));
    }

    private static byte[] Apply(ImageAugmenter augmenter, byte[] source, TransformRandom random, int width = SourceWidth, int height = SourceHeight)
    {
        byte[] output = new byte[augmenter.OutputByteCount];
        augmenter.Apply(source, width, height, ref random, output);
        return output;
    }
}
