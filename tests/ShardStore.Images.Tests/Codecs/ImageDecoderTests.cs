using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Codecs;

[TestClass]
public sealed partial class ImageDecoderTests
{
    [TestMethod]
    [DataRow("photo_420.jpg", ImageFormat.Jpeg, ImageColorSpace.YCbCr, 3)]
    [DataRow("photo_gray.jpg", ImageFormat.Jpeg, ImageColorSpace.Gray, 1)]
    [DataRow("photo_cmyk.jpg", ImageFormat.Jpeg, ImageColorSpace.Cmyk, 4)]
    [DataRow("photo_rgb.png", ImageFormat.Png, ImageColorSpace.Rgb, 3)]
    [DataRow("photo_rgba.png", ImageFormat.Png, ImageColorSpace.Rgba, 4)]
    [DataRow("photo_palette.png", ImageFormat.Png, ImageColorSpace.Palette, 1)]
    [DataRow("photo_gray.png", ImageFormat.Png, ImageColorSpace.Gray, 1)]
    public void ReadInfo_SmallFixture_ReportsHeader(string name, ImageFormat format, ImageColorSpace colorSpace, int components)
    {
        using var decoder = new ImageDecoder();

        ImageInfo info = decoder.ReadInfo(SmallFixtures.Read(name));

        Assert.AreEqual(new ImageInfo(format, 96, 72, colorSpace, components, 8), info);
        Assert.AreEqual(format, ImageDecoder.DetectFormat(SmallFixtures.Read(name)));
    }

    [TestMethod]
    public void Decode_EverySmallFixture_FillsExactlyTheImage()
    {
        using var decoder = new ImageDecoder();
        foreach (string name in SmallFixtures.Names)
        {
            var destination = new byte[(96 * 72 * 3) + 5];
            destination.AsSpan().Fill(0xA5);

            ImageSize size = decoder.Decode(SmallFixtures.Read(name), destination);

            Assert.AreEqual(new ImageSize(96, 72), size, name);
            Assert.IsTrue(destination.AsSpan(96 * 72 * 3).SequenceEqual(new byte[] { 0xA5, 0xA5, 0xA5, 0xA5, 0xA5 }), $"{name}: wrote past the image.");
            Assert.IsGreaterThan(10, destination.AsSpan(0, 96 * 72 * 3).ToArray().Distinct().Count(), $"{name}: the image looks empty.");
        }
    }

    [TestMethod]
    public void Decode_GrayJpeg_ChannelsEqual()
    {
        using var decoder = new ImageDecoder();
        var rgb = new byte[96 * 72 * 3];

        decoder.Decode(SmallFixtures.Read("photo_gray.jpg"), rgb);

        for (int i = 0; i < rgb.Length; i += 3)
        {
            Assert.IsTrue(rgb[i] == rgb[i + 1] && rgb[i] == rgb[i + 2], $"pixel {i / 3} is not gray");
        }
    }

    [TestMethod]
    public void Decode_CmykJpeg_CloseToRgbOriginal()
    {
        // The CMYK and the YCbCr fixture are the same crop; a wrong inversion or channel order would be far off.
        using var decoder = new ImageDecoder();
        var fromCmyk = new byte[96 * 72 * 3];
        var fromRgb = new byte[96 * 72 * 3];

        decoder.Decode(SmallFixtures.Read("photo_cmyk.jpg"), fromCmyk);
        decoder.Decode(SmallFixtures.Read("photo_rgb.png"), fromRgb);

        double meanError = fromCmyk.Zip(fromRgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.IsLessThan(8.0, meanError, $"mean absolute difference {meanError:F2}");
    }

    [TestMethod]
    [DataRow(0, 0, 96, 72)]
    [DataRow(96, 72, 96, 72)]
    [DataRow(200, 0, 96, 72)]
    [DataRow(48, 36, 48, 36)]
    [DataRow(47, 0, 48, 36)]
    [DataRow(37, 10, 48, 36)]
    [DataRow(24, 18, 24, 18)]
    [DataRow(12, 9, 12, 9)]
    [DataRow(1, 1, 12, 9)]
    [DataRow(13, 0, 24, 18)]
    [DataRow(60, 0, 60, 45)]
    public void GetDecodedSize_Jpeg_SmallestFactorCoveringTarget(int minWidth, int minHeight, int width, int height)
    {
        // 96 x 72 scales by n/8 to 12 x 9, 24 x 18, 36 x 27, 48 x 36, 60 x 45, 72 x 54, 84 x 63.
        var info = new ImageInfo(ImageFormat.Jpeg, 96, 72, ImageColorSpace.YCbCr, 3, 8);

        ImageSize size = ImageDecoder.GetDecodedSize(info, minWidth, minHeight);

        Assert.AreEqual(new ImageSize(width, height), size);
    }

    [TestMethod]
    public void Decode_ScaledJpeg_ReturnsChosenSizeAndFillsIt()
    {
        using var decoder = new ImageDecoder();
        byte[] jpeg = SmallFixtures.Read("photo_420.jpg");
        var destination = new byte[(24 * 18 * 3) + 1];
        destination[^1] = 0x5A;

        ImageSize size = decoder.Decode(jpeg, destination, 20, 10);

        Assert.AreEqual(new ImageSize(24, 18), size);
        Assert.AreEqual(0x5A, destination[^1], "wrote past the scaled image");
    }

    [TestMethod]
    public void GetDecodedSize_Png_FullSize()
    {
        var info = new ImageInfo(ImageFormat.Png, 96, 72, ImageColorSpace.Rgb, 3, 8);

        Assert.AreEqual(new ImageSize(96, 72), ImageDecoder.GetDecodedSize(info, 10, 10));
    }

    [TestMethod]
    public void Decode_DestinationTooSmall_ThrowsArgumentException()
    {
        using var decoder = new ImageDecoder();
        var destination = new byte[(96 * 72 * 3) - 1];

        var e = Assert.ThrowsExactly<ArgumentException>(() => decoder.Decode(SmallFixtures.Read("photo_420.jpg"), destination));

        Assert.Contains("20736", e.Message);
    }

    [TestMethod]
    public void Decode_SameDecoderManyImages_SameResultEachTime()
    {
        using var decoder = new ImageDecoder();
        byte[] cmyk = SmallFixtures.Read("photo_cmyk.jpg");
        var first = new byte[96 * 72 * 3];
        var again = new byte[96 * 72 * 3];
        decoder.Decode(cmyk, first);
        foreach (string name in SmallFixtures.Names)
        {
            decoder.Decode(SmallFixtures.Read(name), again);
        }

        decoder.Decode(cmyk, again);

        CollectionAssert.AreEqual(first, again);
    }

    [TestMethod]
    public void Decode_Warm_AllocatesNothing()
    {
        using var decoder = new ImageDecoder();
        byte[] jpeg = SmallFixtures.Read("photo_420.jpg");
        byte[] cmyk = SmallFixtures.Read("photo_cmyk.jpg");
        byte[] png = SmallFixtures.Read("photo_rgb.png");
        var destination = new byte[96 * 72 * 3];
        decoder.Decode(jpeg, destination);
        decoder.Decode(cmyk, destination, 48, 36);
        decoder.Decode(png, destination);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            decoder.Decode(jpeg, destination);
        }

        long jpegBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        for (int i = 0; i < 10; i++)
        {
            decoder.Decode(cmyk, destination, 48, 36);
        }

        long cmykBytes = GC.GetAllocatedBytesForCurrentThread() - before - jpegBytes;
        for (int i = 0; i < 10; i++)
        {
            decoder.Decode(png, destination);
        }

        long pngBytes = GC.GetAllocatedBytesForCurrentThread() - before - jpegBytes - cmykBytes;
        Assert.AreEqual((0L, 0L, 0L), (jpegBytes, cmykBytes, pngBytes), "managed bytes allocated by 10 warm decodes each of JPEG, CMYK JPEG, PNG");
    }

    [TestMethod]
    public void Dispose_Twice_Harmless_ThenDecodeThrowsObjectDisposed()
    {
        var decoder = new ImageDecoder();
        decoder.Decode(SmallFixtures.Read("photo_420.jpg"), new byte[96 * 72 * 3]);

        decoder.Dispose();
        decoder.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => decoder.ReadInfo(SmallFixtures.Read("photo_420.jpg")));
    }

    [TestMethod]
    public void Options_BoundBelowOne_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageDecoderOptions { MaxPixels = 0 });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageDecoderOptions { MaxSide = 0 });
    }
}
