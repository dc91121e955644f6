using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ShardStore.Images.Codecs;

namespace ShardStore.Images.Internals;

/// <summary>Throws the decoder's exceptions, off the hot path. Bad image data is always an <see cref="InvalidDataException"/>.</summary>
internal static class ImageDataErrors
{
    [DoesNotReturn]
    internal static void ThrowUnknownFormat(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new InvalidDataException("The image is empty (0 bytes).");
        }

        string start = Convert.ToHexString(encoded[..Math.Min(8, encoded.Length)]);
        throw new InvalidDataException(
            $"The data is not a JPEG or PNG image ({encoded.Length} bytes starting with 0x{start}); only JPEG and PNG can be decoded.");
    }

    [DoesNotReturn]
    internal static void ThrowMalformed(ImageFormat format, string detail) =>
        throw new InvalidDataException($"The {Name(format)} image is malformed: {detail}.");

    [DoesNotReturn]
    internal static void ThrowCorrupt(ImageFormat format, string detail) =>
        throw new InvalidDataException($"The {Name(format)} image is corrupt or truncated: {detail}.");

    [DoesNotReturn]
    internal static void ThrowTooLarge(ImageFormat format, long width, long height, ImageDecoderOptions options) =>
        throw new InvalidDataException(string.Create(
            CultureInfo.InvariantCulture,
            $"The {Name(format)} image declares {width} x {height} pixels, beyond the decoder's bound of {options.MaxSide} pixels a side " +
            $"and {options.MaxPixels} pixels in all (ImageDecoderOptions.MaxSide and MaxPixels); it was refused before decoding."));

    [DoesNotReturn]
    internal static void ThrowDestinationTooSmall(ImageSize size, int length, string paramName) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"The destination holds {length} bytes; the {size.Width} x {size.Height} RGB image needs {size.RgbByteCount}."),
            paramName);

    private static string Name(ImageFormat format) => format == ImageFormat.Png ? "PNG" : "JPEG";
}
