using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Codecs;

[TestClass]
public sealed partial class JpegEncoderTests
{
    [TestMethod]
    [DataRow("photo_rgb.png")]
    [DataRow("photo_420.jpg")]
    [DataRow("photo_gray.png")]
    public void Encode_SmallPhoto_DecodesWithinJpegTolerance(string name)
    {
        (byte[] source, int width, int height) = DecodeFixture(name);
        using var encoder = new JpegEncoder();

        byte[] jpeg = encoder.Encode(source, width, height);

        Assert.AreEqual(ImageFormat.Jpeg, ImageDecoder.DetectFormat(jpeg));
        byte[] decoded = Decode(jpeg, width, height);
        (double mean, double psnr) = Compare(source, decoded);
        Assert.IsLessThan(3.0, mean, $"{name}: mean absolute error");
        Assert.IsGreaterThan(32.0, psnr, $"{name}: PSNR in dB");
    }

    [TestMethod]
    [DataRow(JpegSubsampling.Chroma420, 0x22)]
    [DataRow(JpegSubsampling.Chroma422, 0x21)]
    [DataRow(JpegSubsampling.Chroma444, 0x11)]
    public void Encode_Subsampling_FrameHeaderDeclaresIt(JpegSubsampling subsampling, int lumaSampling)
    {
        (byte[] source, int width, int height) = DecodeFixture("photo_rgb.png");
        using var encoder = new JpegEncoder(85, subsampling);

        byte[] jpeg = encoder.Encode(source, width, height);

        int sof = ImageBytes.FindJpegFrameHeader(jpeg);
        Assert.AreEqual(0xC0, jpeg[sof + 1], "not a baseline frame");
        Assert.AreEqual(3, jpeg[sof + 9], "component count");
        Assert.AreEqual(lumaSampling, jpeg[sof + 11], "luma sampling factors");
        Assert.AreEqual(0x11, jpeg[sof + 14], "chroma sampling factors");
        using var decoder = new ImageDecoder();
        Assert.AreEqual(new ImageInfo(ImageFormat.Jpeg, width, height, ImageColorSpace.YCbCr, 3, 8), decoder.ReadInfo(jpeg));
    }

    [TestMethod]
    public void Encode_HigherQuality_SmallerErrorAndLargerFile()
    {
        (byte[] source, int width, int height) = DecodeFixture("photo_rgb.png");
        using var low = new JpegEncoder(20);
        using var high = new JpegEncoder(95);

        byte[] lowJpeg = low.Encode(source, width, height);
        byte[] highJpeg = high.Encode(source, width, height);

        Assert.IsLessThan(highJpeg.Length, lowJpeg.Length);
        Assert.IsGreaterThan(Compare(source, Decode(highJpeg, width, height)).Mean, Compare(source, Decode(lowJpeg, width, height)).Mean);
    }

    [TestMethod]
    public void Encode_SameImageTwiceAndOddSizes_SameBytesAndRightSize()
    {
        using var encoder = new JpegEncoder();
        foreach ((int width, int height) in new[] { (1, 1), (17, 3), (3, 17), (255, 1) })
        {
            byte[] rgb = new byte[width * height * 3];
            new Random(width * 31 + height).NextBytes(rgb);

            byte[] first = encoder.Encode(rgb, width, height);
            byte[] second = encoder.Encode(rgb, width, height);

            CollectionAssert.AreEqual(first, second, $"{width} x {height}");
            using var decoder = new ImageDecoder();
            ImageInfo info = decoder.ReadInfo(first);
            Assert.AreEqual((width, height), (info.Width, info.Height));
        }
    }

    [TestMethod]
    public void TryEncode_AfterWarmUp_AllocatesNothing()
    {
        (byte[] source, int width, int height) = DecodeFixture("photo_rgb.png");
        using var encoder = new JpegEncoder();
        byte[] destination = new byte[encoder.GetMaxEncodedLength(width, height)];
        encoder.TryEncode(source, width, height, destination, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            encoder.TryEncode(source, width, height, destination, out _);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before, "TryEncode allocated managed memory once warm.");
        Assert.IsTrue(encoder.TryEncode(source, width, height, destination, out int written));
        CollectionAssert.AreEqual(encoder.Encode(source, width, height), destination[..written]);
    }

    [TestMethod]
    public void TryEncode_DestinationBelowWorstCase_ThrowsArgumentException()
    {
        using var encoder = new JpegEncoder();
        byte[] rgb = new byte[16 * 16 * 3];

        Assert.ThrowsExactly<ArgumentException>(() => encoder.TryEncode(rgb, 16, 16, new byte[encoder.GetMaxEncodedLength(16, 16) - 1], out _));
        Assert.ThrowsExactly<ArgumentException>(() => encoder.TryEncode(rgb.AsSpan(1), 16, 16, new byte[encoder.GetMaxEncodedLength(16, 16)], out _));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => encoder.Encode(rgb, 0, 16));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => encoder.GetMaxEncodedLength(16, -1));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(101)]
    public void Constructor_QualityOutsideRange_ThrowsArgumentOutOfRange(int quality) =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new JpegEncoder(quality));

    [TestMethod]
    public void Constructor_UndefinedSubsampling_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new JpegEncoder(90, (JpegSubsampling)7));

    [TestMethod]
    public void Dispose_Twice_HarmlessAndLaterUseThrows()
    {
        var encoder = new JpegEncoder();
        encoder.Encode(new byte[12], 2, 2);

        encoder.Dispose();
        encoder.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => encoder.Encode(new byte[12], 2, 2));
    }

    internal static (byte[] Pixels, int Width, int Height) DecodeFixture(string name)
    {
        byte[] file = SmallFixtures.Read(name);
        using var decoder = new ImageDecoder();
        ImageInfo info = decoder.ReadInfo(file);
        byte[] pixels = new byte[info.Width * info.Height * 3];
        decoder.Decode(file, pixels);
        return (pixels, info.Width, info.Height);
    }

    internal static byte[] Decode(byte[] jpeg, int width, int height)
    {
        using var decoder = new ImageDecoder();
        byte[] pixels = new byte[width * height * 3];
        Assert.AreEqual(new ImageSize(width, height), decoder.Decode(jpeg, pixels));
        return pixels;
    }

    internal static (double Mean, double Psnr) Compare(byte[] expected, byte[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        long absolute = 0;
        double squared = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = actual[i] - expected[i];
            absolute += Math.Abs(d);
            squared += d * d;
        }

        double mse = squared / expected.Length;
        return ((double)absolute / expected.Length, mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse));
    }
}
