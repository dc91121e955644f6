using ShardStore.Images.Operations;
using ShardStore.Images.Tests.Operations.Infrastructure;

namespace ShardStore.Images.Tests.Operations;

[TestClass]
public sealed class ImageResizerTests
{
    // (source width, height, crop x, y, width, height, output width, height)
    public static IEnumerable<object[]> Cases =>
    [
        [64, 48, 0, 0, 64, 48, 32, 24], // halve
        [100, 80, 10, 5, 77, 61, 24, 24], // shrink by an odd factor, into a square
        [250, 190, 17, 10, 200, 150, 112, 112], // the usual training case, at half size
        [300, 200, 0, 0, 300, 200, 7, 5], // a large factor: wide filters
        [20, 16, 3, 2, 11, 9, 64, 48], // enlarge
        [80, 60, 5, 5, 70, 20, 35, 80], // shrink one axis, enlarge the other
        [50, 40, 0, 0, 50, 40, 50, 20], // one axis unchanged
        [9, 7, 1, 1, 1, 1, 5, 3], // a single source pixel
        [33, 17, 0, 0, 33, 17, 1, 1], // a single output pixel
    ];

    [TestMethod]
    public void Resize_SameSize_CopiesTheCrop()
    {
        byte[] source = TestImages.Noise(40, 30, 1);
        var crop = new CropRect(3, 4, 25, 20);
        byte[] output = new byte[25 * 20 * 3];
        new ImageResizer().Resize(source, 40, 30, crop, output, 25, 20);
        CollectionAssert.AreEqual(ReferenceImageOps.Crop(source, 40, crop), output);
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Resize_Bilinear_WithinOneLevelOfNaiveReference(int sw, int sh, int cx, int cy, int cw, int ch, int ow, int oh)
    {
        foreach (byte[] source in new[] { TestImages.Noise(sw, sh, 2), TestImages.Natural(sw, sh, 3) })
        {
            var crop = new CropRect(cx, cy, cw, ch);
            byte[] output = new byte[ow * oh * 3];
            new ImageResizer().Resize(source, sw, sh, crop, output, ow, oh);
            AssertClose(ReferenceImageOps.ResizeBilinear(source, sw, crop, ow, oh), output, maxDifference: 1, maxMean: 0.05);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Resize_Nearest_EqualsReference(int sw, int sh, int cx, int cy, int cw, int ch, int ow, int oh)
    {
        byte[] source = TestImages.Noise(sw, sh, 4);
        var crop = new CropRect(cx, cy, cw, ch);
        byte[] output = new byte[ow * oh * 3];
        new ImageResizer().Resize(source, sw, sh, crop, output, ow, oh, ResizeMode.Nearest);
        CollectionAssert.AreEqual(ReferenceImageOps.ResizeNearest(source, sw, crop, ow, oh), output);
    }

    [TestMethod]
    [DataRow(ResizeMode.Bilinear)]
    [DataRow(ResizeMode.Nearest)]
    public void Resize_Flip_MirrorsTheUnflippedOutput(ResizeMode mode)
    {
        byte[] source = TestImages.Natural(120, 90, 5);
        var crop = new CropRect(10, 7, 90, 70);
        byte[] plain = new byte[41 * 37 * 3];
        byte[] flipped = new byte[plain.Length];
        var resizer = new ImageResizer();
        resizer.Resize(source, 120, 90, crop, plain, 41, 37, mode);
        resizer.Resize(source, 120, 90, crop, flipped, 41, 37, mode, flipHorizontally: true);
        CollectionAssert.AreEqual(ReferenceImageOps.Flip(plain, 41, 37), flipped);
    }

    [TestMethod]
    public void Resize_ReusedAcrossSizes_SameAsFreshInstance()
    {
        var shared = new ImageResizer();
        foreach (object[] c in Cases.Concat(Cases.Reverse()))
        {
            int sw = (int)c[0], sh = (int)c[1], ow = (int)c[6], oh = (int)c[7];
            var crop = new CropRect((int)c[2], (int)c[3], (int)c[4], (int)c[5]);
            byte[] source = TestImages.Natural(sw, sh, sw);
            byte[] reused = new byte[ow * oh * 3];
            byte[] fresh = new byte[ow * oh * 3];
            shared.Resize(source, sw, sh, crop, reused, ow, oh);
            new ImageResizer().Resize(source, sw, sh, crop, fresh, ow, oh);
            CollectionAssert.AreEqual(fresh, reused, $"Case {string.Join(", ", c)}.");
        }
    }

    [TestMethod]
    public void Resize_DestinationLongerThanOutput_WritesOnlyTheOutput()
    {
        byte[] source = TestImages.Noise(30, 20, 6);
        byte[] output = new byte[(10 * 10 * 3) + 5];
        output.AsSpan().Fill(0xEE);
        new ImageResizer().Resize(source, 30, 20, CropRect.Full(30, 20), output, 10, 10);
        CollectionAssert.AreEqual(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE, 0xEE }, output[^5..]);
    }

    [TestMethod]
    [DataRow(3, 8, 54, 27, 64, 48, 3, 2)]
    [DataRow(0, 0, 64, 48, 64, 48, 224, 224)]
    [DataRow(0, 0, 300, 200, 300, 200, 31, 17)]
    [DataRow(7, 11, 233, 150, 300, 200, 224, 224)]
    public void Resize_Bilinear_MatchesPil(int cx, int cy, int cw, int ch, int sw, int sh, int ow, int oh)
    {
        if (PilReference.Python is null)
        {
            Assert.Inconclusive("python3 with PIL is not installed (Debian: apt-get install python3-pil).");
        }

        byte[] source = TestImages.Natural(sw, sh, 7);
        var crop = new CropRect(cx, cy, cw, ch);
        byte[] output = new byte[ow * oh * 3];
        new ImageResizer().Resize(source, sw, sh, crop, output, ow, oh);

        // PIL rounds to u8 between its passes and uses 22-bit fixed-point weights; the difference stays within 2 levels.
        AssertClose(PilReference.ResizeBilinear(source, sw, sh, crop, ow, oh), output, maxDifference: 2, maxMean: 0.5);
    }

    [TestMethod]
    public void Resize_BadArguments_Throw()
    {
        byte[] source = new byte[10 * 10 * 3];
        byte[] output = new byte[5 * 5 * 3];
        var resizer = new ImageResizer();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => resizer.Resize(source, 10, 10, new CropRect(5, 5, 6, 5), output, 5, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => resizer.Resize(source, 10, 10, new CropRect(0, 0, 0, 5), output, 5, 5));
        Assert.ThrowsExactly<ArgumentException>(() => resizer.Resize(source, 10, 11, CropRect.Full(10, 10), output, 5, 5));
        Assert.ThrowsExactly<ArgumentException>(() => resizer.Resize(source, 10, 10, CropRect.Full(10, 10), output, 5, 6));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => resizer.Resize(source, 10, 10, CropRect.Full(10, 10), output, 0, 5));
    }

    private static void AssertClose(byte[] expected, byte[] actual, int maxDifference, double maxMean)
    {
        Assert.HasCount(expected.Length, actual);
        int worst = 0;
        int worstAt = -1;
        long sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int difference = Math.Abs(expected[i] - actual[i]);
            sum += difference;
            if (difference > worst)
            {
                (worst, worstAt) = (difference, i);
            }
        }

        double mean = (double)sum / expected.Length;
        Assert.IsLessThanOrEqualTo(maxDifference, worst, $"Largest difference {worst} at byte {worstAt}: expected {(worstAt < 0 ? 0 : expected[worstAt])}, got {(worstAt < 0 ? 0 : actual[worstAt])}.");
        Assert.IsLessThan(maxMean, mean, $"Mean absolute difference {mean:F4}.");
    }
}
