using System.Text;
using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Codecs;

// Every kind of bad input ends in InvalidDataException with a message saying what is wrong.
public sealed partial class ImageDecoderTests
{
    [TestMethod]
    public void Decode_Empty_ThrowsInvalidData()
    {
        using var decoder = new ImageDecoder();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode([], new byte[16]));

        Assert.Contains("empty", e.Message);
    }

    [TestMethod]
    [DataRow("GIF89a\u0001\u0000\u0001\u0000")]
    [DataRow("hello, world")]
    [DataRow("\u00ff\u00d8")]
    [DataRow("\u0089PNG\r\n")]
    public void Decode_NotAnImage_ThrowsInvalidDataNamingFormats(string text)
    {
        using var decoder = new ImageDecoder();
        byte[] data = Encoding.Latin1.GetBytes(text);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(data, new byte[16]));

        Assert.Contains("not a JPEG or PNG", e.Message);
        Assert.AreEqual(ImageFormat.Unknown, ImageDecoder.DetectFormat(data));
    }

    [TestMethod]
    [DataRow("photo_420.jpg")]
    [DataRow("photo_progressive.jpg")]
    [DataRow("photo_cmyk.jpg")]
    [DataRow("photo_rgb.png")]
    [DataRow("photo_palette.png")]
    public void Decode_TruncatedAnywhere_ThrowsInvalidData(string name)
    {
        // Cuts inside the image data; a PNG cut after its complete deflate stream (in the last CRC or IEND) still has every pixel and decodes.
        byte[] full = SmallFixtures.Read(name);
        using var decoder = new ImageDecoder();
        var destination = new byte[96 * 72 * 3];
        foreach (int length in new[] { 3, 8, 20, 40, 100, 300, full.Length / 3, full.Length / 2, full.Length - 40, full.Length - 30 })
        {
            byte[] truncated = full[..length];

            var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(truncated, destination), $"{name} cut to {length} bytes");

            Assert.IsFalse(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [TestMethod]
    public void Decode_JpegWithEndMarkerInsideScan_ThrowsInvalidDataCorrupt()
    {
        byte[] jpeg = SmallFixtures.Read("photo_420.jpg");
        jpeg[jpeg.Length / 2] = 0xFF;
        jpeg[(jpeg.Length / 2) + 1] = 0xD9;
        using var decoder = new ImageDecoder();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(jpeg, new byte[96 * 72 * 3]));

        Assert.Contains("JPEG", e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [TestMethod]
    public void Decode_PngWithDamagedPixelData_ThrowsInvalidData()
    {
        byte[] png = SmallFixtures.Read("photo_rgb.png");
        (int offset, int length) = ImageBytes.FindIdat(png);
        png[offset + (length / 2)] ^= 0x55;
        using var decoder = new ImageDecoder();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(png, new byte[96 * 72 * 3]));

        Assert.Contains("PNG", e.Message);
    }

    [TestMethod]
    public void Decode_PngWithDamagedDeflateAndValidCrc_ThrowsInvalidData()
    {
        byte[] png = SmallFixtures.Read("photo_rgb.png");
        (int offset, int length) = ImageBytes.FindIdat(png);
        png.AsSpan(offset + 2, length / 2).Fill(0xFF);
        ImageBytes.FixPngCrcs(png);
        using var decoder = new ImageDecoder();

        Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(png, new byte[96 * 72 * 3]));
    }

    [TestMethod]
    public void Decode_JpegDeclaringZeroHeight_ThrowsInvalidData()
    {
        byte[] jpeg = ImageBytes.WithJpegSize(SmallFixtures.Read("photo_420.jpg"), 96, 0);
        using var decoder = new ImageDecoder();

        Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(jpeg, new byte[96 * 72 * 3]));
    }

    [TestMethod]
    [DataRow(0u, 72u)]
    [DataRow(96u, 0u)]
    [DataRow(0x80000000u, 1u)]
    public void ReadInfo_PngDeclaringImpossibleSize_ThrowsInvalidData(uint width, uint height)
    {
        byte[] png = ImageBytes.WithPngSize(SmallFixtures.Read("photo_rgb.png"), width, height);
        using var decoder = new ImageDecoder();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.ReadInfo(png));

        Assert.Contains("IHDR", e.Message);
    }

    [TestMethod]
    public void ReadInfo_JpegDeclaringHugeSize_RefusedBeforeAllocating()
    {
        byte[] jpeg = ImageBytes.WithJpegSize(SmallFixtures.Read("photo_420.jpg"), 65_000, 65_000);
        using var decoder = new ImageDecoder();
        decoder.ReadInfo(SmallFixtures.Read("photo_420.jpg"));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(jpeg, new byte[16]));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("65000 x 65000", e.Message);
        Assert.Contains("MaxPixels", e.Message);
        Assert.IsLessThan(64 * 1024, allocated, "bytes allocated while refusing (the exception and its message only)");
    }

    [TestMethod]
    public void ReadInfo_PngDeclaringHugeSize_RefusedBeforeAllocating()
    {
        byte[] png = ImageBytes.WithPngSize(SmallFixtures.Read("photo_rgb.png"), 100_000, 3);
        using var decoder = new ImageDecoder();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(png, new byte[16]));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("100000 x 3", e.Message);
        Assert.Contains("MaxSide", e.Message);
        Assert.IsLessThan(64 * 1024, allocated, "bytes allocated while refusing (the exception and its message only)");
    }

    [TestMethod]
    [DataRow("photo_420.jpg")]
    [DataRow("photo_rgb.png")]
    public void ReadInfo_BeyondCustomBound_ThrowsInvalidData(string name)
    {
        using var bySide = new ImageDecoder(new ImageDecoderOptions { MaxSide = 95 });
        using var byPixels = new ImageDecoder(new ImageDecoderOptions { MaxPixels = (96 * 72) - 1 });
        using var fits = new ImageDecoder(new ImageDecoderOptions { MaxSide = 96, MaxPixels = 96 * 72 });
        byte[] image = SmallFixtures.Read(name);

        Assert.ThrowsExactly<InvalidDataException>(() => bySide.ReadInfo(image));
        Assert.ThrowsExactly<InvalidDataException>(() => byPixels.ReadInfo(image));
        Assert.AreEqual(96, fits.ReadInfo(image).Width);
    }

    [TestMethod]
    public void Decode_AfterCorruptImage_DecoderStillDecodes()
    {
        using var decoder = new ImageDecoder();
        byte[] good = SmallFixtures.Read("photo_420.jpg");
        var expected = new byte[96 * 72 * 3];
        decoder.Decode(good, expected);

        Assert.ThrowsExactly<InvalidDataException>(() => decoder.Decode(good.AsSpan(0, good.Length / 2), new byte[96 * 72 * 3]));
        var actual = new byte[96 * 72 * 3];
        decoder.Decode(good, actual);

        CollectionAssert.AreEqual(expected, actual);
    }
}
