using System.Buffers.Binary;
using System.Globalization;
using ShardStore.Images.Codecs;

namespace ShardStore.Images.Internals;

/// <summary>Reads a PNG's signature and IHDR chunk without a native call: the header is fixed-size and always first.</summary>
internal static class PngHeader
{
    /// <summary>The eight-byte PNG signature.</summary>
    internal static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // Signature (8) + IHDR length (4) + type (4) + data (13) + CRC (4).
    private const int HeaderLength = 33;

    /// <summary>Reads the IHDR of <paramref name="encoded"/>, which starts with the PNG signature.</summary>
    /// <exception cref="InvalidDataException">The header is truncated or declares an impossible image.</exception>
    internal static ImageInfo Read(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < HeaderLength)
        {
            ImageDataErrors.ThrowCorrupt(ImageFormat.Png, string.Create(CultureInfo.InvariantCulture, $"{encoded.Length} bytes end before the IHDR header"));
        }

        ReadOnlySpan<byte> ihdr = encoded[8..];
        if (BinaryPrimitives.ReadUInt32BigEndian(ihdr) != 13 || !ihdr[4..8].SequenceEqual("IHDR"u8))
        {
            ImageDataErrors.ThrowMalformed(ImageFormat.Png, "the first chunk is not a 13-byte IHDR");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr[8..]);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[12..]);
        int bitDepth = ihdr[16];
        int colorType = ihdr[17];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            ImageDataErrors.ThrowMalformed(ImageFormat.Png, string.Create(CultureInfo.InvariantCulture, $"IHDR declares {width} x {height} pixels"));
        }

        (ImageColorSpace space, int components, bool depthValid) = colorType switch
        {
            0 => (ImageColorSpace.Gray, 1, bitDepth is 1 or 2 or 4 or 8 or 16),
            2 => (ImageColorSpace.Rgb, 3, bitDepth is 8 or 16),
            3 => (ImageColorSpace.Palette, 1, bitDepth is 1 or 2 or 4 or 8),
            4 => (ImageColorSpace.GrayAlpha, 2, bitDepth is 8 or 16),
            6 => (ImageColorSpace.Rgba, 4, bitDepth is 8 or 16),
            _ => (ImageColorSpace.Gray, 0, false),
        };
        if (!depthValid || ihdr[18] != 0 || ihdr[19] != 0 || ihdr[20] > 1)
        {
            ImageDataErrors.ThrowMalformed(ImageFormat.Png, string.Create(
                CultureInfo.InvariantCulture,
                $"IHDR declares colour type {colorType}, bit depth {bitDepth}, compression {ihdr[18]}, filter {ihdr[19]}, interlace {ihdr[20]}, which PNG does not define"));
        }

        return new ImageInfo(ImageFormat.Png, (int)width, (int)height, space, components, bitDepth);
    }
}
