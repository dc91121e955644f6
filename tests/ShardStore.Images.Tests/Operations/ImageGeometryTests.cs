using ShardStore.Images.Operations;
using ShardStore.Transforms;

namespace ShardStore.Images.Tests.Operations;

[TestClass]
public sealed class ImageGeometryTests
{
    [TestMethod]
    [DataRow(10, 10, 7, 7, 2, 2)] // offset 1.5 rounds to 2
    [DataRow(11, 9, 6, 6, 2, 2)] // 2.5 rounds to 2, 1.5 to 2
    [DataRow(500, 375, 224, 224, 138, 76)] // 138, 75.5 rounds to 76
    [DataRow(5, 5, 5, 5, 0, 0)]
    public void CenterCrop_Offsets_RoundHalfToEvenAsTorchvision(int width, int height, int cropWidth, int cropHeight, int x, int y) =>
        Assert.AreEqual(new CropRect(x, y, cropWidth, cropHeight), ImageGeometry.CenterCrop(width, height, cropWidth, cropHeight));

    [TestMethod]
    public void CenterCrop_LargerThanImage_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.CenterCrop(10, 10, 11, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.CenterCrop(10, 10, 5, 0));
    }

    [TestMethod]
    public void RandomResizedCrop_SameKey_SameRectangle()
    {
        for (int i = 0; i < 100; i++)
        {
            var a = new TransformRandom(42, 3, i, 0);
            var b = new TransformRandom(42, 3, i, 0);
            Assert.AreEqual(ImageGeometry.RandomResizedCrop(640, 480, ref a), ImageGeometry.RandomResizedCrop(640, 480, ref b));
            Assert.AreEqual(a.NextUInt64(), b.NextUInt64(), "Both generators must have drawn the same number of values.");
        }
    }

    [TestMethod]
    public void RandomResizedCrop_DifferentKeys_DifferentRectangles()
    {
        var crops = new HashSet<CropRect>();
        for (int i = 0; i < 100; i++)
        {
            var random = new TransformRandom(42, 0, i, 0);
            crops.Add(ImageGeometry.RandomResizedCrop(640, 480, ref random));
        }

        Assert.IsGreaterThan(95, crops.Count);
    }

    [TestMethod]
    [DataRow(640, 480)]
    [DataRow(1, 1)]
    [DataRow(1, 500)]
    [DataRow(500, 1)]
    [DataRow(3, 1000)]
    [DataRow(1000, 3)]
    [DataRow(7, 5)]
    [DataRow(4000, 3000)]
    public void RandomResizedCrop_AnyKey_InsideImageAndAsReference(int width, int height)
    {
        for (int i = 0; i < 2000; i++)
        {
            var random = new TransformRandom(7, 1, i, 2);
            var reference = random;
            CropRect crop = ImageGeometry.RandomResizedCrop(width, height, ref random);
            Assert.IsTrue(crop.IsInside(width, height), $"{crop} is not inside {width} x {height}.");
            Assert.AreEqual(ReferenceRandomResizedCrop(width, height, ref reference), crop);
        }
    }

    [TestMethod]
    public void RandomResizedCrop_WideStrip_FallsBackToCentredClampedRatio()
    {
        // No attempt fits 10 rows: the fallback keeps the full height and a width of round(10 * 4/3) = 13, centred.
        var random = new TransformRandom(1, 0, 0, 0);
        Assert.AreEqual(new CropRect(493, 0, 13, 10), ImageGeometry.RandomResizedCrop(1000, 10, ref random));
        random = new TransformRandom(1, 0, 0, 0);
        Assert.AreEqual(new CropRect(0, 493, 10, 13), ImageGeometry.RandomResizedCrop(10, 1000, ref random));
    }

    [TestMethod]
    public void RandomResizedCrop_EveryAttemptFits_AreaUniformAndRatioLogUniform()
    {
        // Areas up to half of a square image always fit, so the first attempt is kept and the draws are unbiased.
        const int Samples = 20_000;
        const int Side = 2000;
        const double MinScale = 0.08;
        const double MaxScale = 0.5;
        double logMax = Math.Log(4.0 / 3.0);
        double areaSum = 0;
        double logRatioSum = 0;
        int lowestQuarterRatio = 0;
        int lowerHalfArea = 0;
        for (int i = 0; i < Samples; i++)
        {
            var random = new TransformRandom(9, 0, i, 0);
            CropRect crop = ImageGeometry.RandomResizedCrop(Side, Side, ref random, MinScale, MaxScale);
            double area = (double)crop.Width * crop.Height / ((double)Side * Side);
            double logRatio = Math.Log((double)crop.Width / crop.Height);
            areaSum += area;
            logRatioSum += logRatio;
            lowestQuarterRatio += logRatio < -logMax / 2 ? 1 : 0;
            lowerHalfArea += area < (MinScale + MaxScale) / 2 ? 1 : 0;
            Assert.IsTrue(area >= MinScale - 0.001 && area <= MaxScale + 0.001, $"Area fraction {area} is outside [{MinScale}, {MaxScale}].");
            Assert.IsTrue(Math.Abs(logRatio) <= logMax + 0.002, $"Ratio {Math.Exp(logRatio)} is outside [3/4, 4/3].");
        }

        // Standard errors: area mean 0.0009, log ratio mean 0.0012, shares 0.003; the bounds are about 5 of them.
        Assert.AreEqual((MinScale + MaxScale) / 2, areaSum / Samples, 0.005, "Mean area fraction of a uniform area.");
        Assert.AreEqual(0.0, logRatioSum / Samples, 0.006, "Mean log ratio of a log-uniform ratio over a symmetric range.");
        Assert.AreEqual(0.25, (double)lowestQuarterRatio / Samples, 0.015, "Share of ratios in the lowest quarter of the log range.");
        Assert.AreEqual(0.5, (double)lowerHalfArea / Samples, 0.015, "Share of areas in the lower half of the range.");
    }

    [TestMethod]
    public void RandomResizedCrop_DefaultRanges_StayInRanges()
    {
        for (int i = 0; i < 5000; i++)
        {
            var random = new TransformRandom(9, 0, i, 0);
            CropRect crop = ImageGeometry.RandomResizedCrop(2000, 2000, ref random);
            double area = (double)crop.Width * crop.Height / (2000.0 * 2000.0);
            double ratio = (double)crop.Width / crop.Height;
            Assert.IsTrue(area >= 0.079 && area <= 1.0, $"Area fraction {area} is outside [0.08, 1].");
            Assert.IsTrue(ratio >= 0.749 && ratio <= 1.335, $"Ratio {ratio} is outside [3/4, 4/3].");
        }
    }

    [TestMethod]
    public void RandomResizedCrop_BadRanges_Throw()
    {
        var random = new TransformRandom(0, 0, 0, 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.RandomResizedCrop(10, 10, ref random, 0.5, 0.4));
        random = new TransformRandom(0, 0, 0, 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.RandomResizedCrop(10, 10, ref random, minRatio: 0, maxRatio: 1));
        random = new TransformRandom(0, 0, 0, 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.RandomResizedCrop(0, 10, ref random));
    }

    [TestMethod]
    [DataRow(0.0, false)]
    [DataRow(1.0, true)]
    public void HorizontalFlip_CertainProbability_DrawsNothing(double probability, bool expected)
    {
        var random = new TransformRandom(5, 0, 0, 0);
        var untouched = random;
        Assert.AreEqual(expected, ImageGeometry.HorizontalFlip(ref random, probability));
        Assert.AreEqual(untouched.NextUInt64(), random.NextUInt64());
    }

    [TestMethod]
    public void HorizontalFlip_Probability_FrequencyMatches()
    {
        int flips = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var random = new TransformRandom(5, 0, i, 1);
            flips += ImageGeometry.HorizontalFlip(ref random, 0.3) ? 1 : 0;
        }

        Assert.AreEqual(0.3, flips / 10_000.0, 0.02);
    }

    [TestMethod]
    [DataRow(-0.1)]
    [DataRow(1.5)]
    [DataRow(double.NaN)]
    public void HorizontalFlip_BadProbability_Throws(double probability)
    {
        var random = new TransformRandom(5, 0, 0, 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGeometry.HorizontalFlip(ref random, probability));
    }

    // torchvision's RandomResizedCrop.get_params, line by line, drawing from the same generator in the same order.
    private static CropRect ReferenceRandomResizedCrop(int width, int height, ref TransformRandom random)
    {
        double area = height * (double)width;
        double[] logRatio = [Math.Log(3.0 / 4.0), Math.Log(4.0 / 3.0)];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * random.NextDouble(0.08, 1.0);
            double aspectRatio = Math.Exp(random.NextDouble(logRatio[0], logRatio[1]));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspectRatio));
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspectRatio));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int i = random.NextInt32(height - h + 1);
                int j = random.NextInt32(width - w + 1);
                return new CropRect(j, i, w, h);
            }
        }

        double inRatio = (double)width / height;
        int fw, fh;
        if (inRatio < 3.0 / 4.0)
        {
            fw = width;
            fh = (int)Math.Round(fw / (3.0 / 4.0));
        }
        else if (inRatio > 4.0 / 3.0)
        {
            fh = height;
            fw = (int)Math.Round(fh * (4.0 / 3.0));
        }
        else
        {
            fw = width;
            fh = height;
        }

        return new CropRect((width - fw) / 2, (height - fh) / 2, fw, fh);
    }
}
