using ShardStore.Images.Internals;
using static ShardStore.Images.Interop.Interop;

namespace ShardStore.Images.Codecs;

/// <summary>
/// Decodes JPEG (libjpeg-turbo's TurboJPEG) and PNG (libspng) images into interleaved 8-bit RGB, height x width x 3,
/// into memory the caller provides. The format is recognised from the first bytes.
/// </summary>
/// <remarks>
/// <para>
/// An instance is not thread-safe: create one per worker thread and reuse it, since it keeps its native decompressor
/// and scratch memory between images, so decoding allocates nothing managed per image once warm. Dispose it to free
/// the native decompressor.
/// </para>
/// <para>
/// Output matches PIL's <c>Image.open(f).convert("RGB")</c> byte for byte: gray becomes RGB by replication, CMYK and
/// YCCK JPEGs are treated as Adobe-inverted (as PIL assumes) and converted with PIL's formula, PNG alpha and palette
/// transparency are dropped without compositing, PNG gamma (gAMA) is ignored, and 16-bit PNG samples keep their high
/// byte. EXIF orientation is ignored: pixels come out in stored order, as PIL's plain decode gives them, so a
/// photograph whose EXIF says "rotate 90" comes out unrotated.
/// </para>
/// <para>
/// Every malformed input (not an image, truncated, corrupt, zero size, or a declared size beyond
/// <see cref="ImageDecoderOptions.MaxSide"/> or <see cref="ImageDecoderOptions.MaxPixels"/>) throws
/// <see cref="InvalidDataException"/>; sizes are checked from the header before anything is allocated. JPEG warnings
/// that mean made-up pixels (truncated data, bad entropy codes) are errors; harmless ones (stray bytes between
/// segments) are not, as in PIL.
/// </para>
/// <para>The native libraries load on first use of their format: <c>libturbojpeg.so.0</c> (Debian <c>libturbojpeg0</c>) for JPEG, <c>libspng.so.0</c> (Debian <c>libspng0</c>) for PNG.</para>
/// </remarks>
public sealed class ImageDecoder : IDisposable
{
    // One thread only (the owner's): the JPEG decompressor is created on the first JPEG and reused.
    private JpegDecoder? _jpeg;
    private bool _disposed;

    /// <summary>Initializes a decoder with the default bounds.</summary>
    public ImageDecoder()
        : this(ImageDecoderOptions.Default)
    {
    }

    /// <summary>Initializes a decoder with the given bounds.</summary>
    /// <param name="options">The size bounds.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public ImageDecoder(ImageDecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>Gets the decoder's bounds.</summary>
    public ImageDecoderOptions Options { get; }

    /// <summary>Recognises the format of <paramref name="encoded"/> from its first bytes.</summary>
    /// <param name="encoded">The encoded image, or at least its first eight bytes.</param>
    /// <returns>The format, or <see cref="ImageFormat.Unknown"/>.</returns>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length >= 3 && encoded[0] == 0xFF && encoded[1] == 0xD8 && encoded[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        return encoded.StartsWith(PngHeader.Signature) ? ImageFormat.Png : ImageFormat.Unknown;
    }

    /// <summary>Reads the header of <paramref name="encoded"/>: format, size, colour space, without decoding pixels.</summary>
    /// <param name="encoded">The encoded JPEG or PNG image.</param>
    /// <returns>What the header declares.</returns>
    /// <exception cref="InvalidDataException">The data is not a JPEG or PNG image, its header is malformed or truncated, or its size is zero or beyond the bounds.</exception>
    /// <exception cref="DllNotFoundException">The data is a JPEG and libturbojpeg cannot be loaded; the message says what to install.</exception>
    /// <exception cref="ObjectDisposedException">The decoder is disposed.</exception>
    public ImageInfo ReadInfo(ReadOnlySpan<byte> encoded)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ImageInfo info = DetectFormat(encoded) switch
        {
            ImageFormat.Jpeg => Jpeg.ReadInfo(encoded),
            ImageFormat.Png => PngHeader.Read(encoded),
            _ => default,
        };
        if (info.Format == ImageFormat.Unknown)
        {
            ImageDataErrors.ThrowUnknownFormat(encoded);
        }

        if (info.Width <= 0 || info.Height <= 0)
        {
            ImageDataErrors.ThrowMalformed(info.Format, $"the header declares {info.Width} x {info.Height} pixels");
        }

        if (info.Width > Options.MaxSide || info.Height > Options.MaxSide || info.PixelCount > Options.MaxPixels)
        {
            ImageDataErrors.ThrowTooLarge(info.Format, info.Width, info.Height, Options);
        }

        return info;
    }

    /// <summary>Gets the size <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, int, int)"/> produces for an image with header <paramref name="info"/>.</summary>
    /// <param name="info">The image's header, from <see cref="ReadInfo"/>.</param>
    /// <param name="minWidth">The smallest width the caller needs; 0 when only the height matters (both 0: full size).</param>
    /// <param name="minHeight">The smallest height the caller needs; 0 when only the width matters (both 0: full size).</param>
    /// <returns>
    /// For a JPEG, the image scaled by the smallest TurboJPEG DCT scaling factor (n/8) whose output is still at least
    /// <paramref name="minWidth"/> x <paramref name="minHeight"/>, or the full size when none smaller is; never larger
    /// than the image. For a PNG, the full size.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minWidth"/> or <paramref name="minHeight"/> is negative.</exception>
    public static ImageSize GetDecodedSize(in ImageInfo info, int minWidth, int minHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(minHeight);
        if (info.Format != ImageFormat.Jpeg)
        {
            return new ImageSize(info.Width, info.Height);
        }

        TurboJpeg.ScalingFactor scale = JpegDecoder.ChooseScale(info.Width, info.Height, minWidth, minHeight);
        return new ImageSize(scale.Scale(info.Width), scale.Scale(info.Height));
    }

    /// <summary>Decodes <paramref name="encoded"/> at full size into <paramref name="destination"/> as interleaved RGB.</summary>
    /// <param name="encoded">The encoded JPEG or PNG image.</param>
    /// <param name="destination">Receives <c>Width * Height * 3</c> bytes, row by row; may be longer.</param>
    /// <returns>The decoded size.</returns>
    /// <exception cref="InvalidDataException">The data is not a JPEG or PNG image, or is malformed, truncated, corrupt, or beyond the bounds.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the decoded image.</exception>
    /// <exception cref="DllNotFoundException">The native library of the format cannot be loaded; the message says what to install.</exception>
    /// <exception cref="ObjectDisposedException">The decoder is disposed.</exception>
    public ImageSize Decode(ReadOnlySpan<byte> encoded, Span<byte> destination) => Decode(encoded, destination, 0, 0);

    /// <summary>Decodes <paramref name="encoded"/> into <paramref name="destination"/> as interleaved RGB, scaled down in the DCT domain where a JPEG is larger than needed.</summary>
    /// <param name="encoded">The encoded JPEG or PNG image.</param>
    /// <param name="destination">Receives <c>Width * Height * 3</c> bytes of the returned size, row by row; may be longer.</param>
    /// <param name="minWidth">The smallest width the caller needs; 0 when only the height matters (both 0: full size).</param>
    /// <param name="minHeight">The smallest height the caller needs; 0 when only the width matters (both 0: full size).</param>
    /// <returns>The decoded size, as <see cref="GetDecodedSize"/> gives it.</returns>
    /// <exception cref="InvalidDataException">The data is not a JPEG or PNG image, or is malformed, truncated, corrupt, or beyond the bounds.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the decoded image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minWidth"/> or <paramref name="minHeight"/> is negative.</exception>
    /// <exception cref="DllNotFoundException">The native library of the format cannot be loaded; the message says what to install.</exception>
    /// <exception cref="ObjectDisposedException">The decoder is disposed.</exception>
    /// <remarks>Scaled JPEG output is what libjpeg-turbo's scaled IDCT gives, the same as PIL's <c>draft()</c> for the factors 1/2, 1/4 and 1/8.</remarks>
    public ImageSize Decode(ReadOnlySpan<byte> encoded, Span<byte> destination, int minWidth, int minHeight)
    {
        ImageInfo info = ReadInfo(encoded);
        ImageSize size = GetDecodedSize(info, minWidth, minHeight);
        if (destination.Length < size.RgbByteCount)
        {
            ImageDataErrors.ThrowDestinationTooSmall(size, destination.Length, nameof(destination));
        }

        if (info.Format == ImageFormat.Jpeg)
        {
            Jpeg.Decode(encoded, info, JpegDecoder.ChooseScale(info.Width, info.Height, minWidth, minHeight), destination);
        }
        else
        {
            PngDecoder.Decode(encoded, info, destination, Options.MaxSide);
        }

        return size;
    }

    /// <summary>Frees the native JPEG decompressor; harmless to call twice.</summary>
    public void Dispose()
    {
        _disposed = true;
        _jpeg?.Dispose();
        _jpeg = null;
    }

    private JpegDecoder Jpeg => _jpeg ??= new JpegDecoder();
}
