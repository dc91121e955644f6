using System.Globalization;
using ShardStore.Images.Codecs;
using static ShardStore.Images.Interop.Interop;

namespace ShardStore.Images.Internals;

/// <summary>Decodes PNG to interleaved 8-bit RGB through libspng.</summary>
/// <remarks>
/// libspng was chosen by measurement over libpng and a managed inflate (see the README's image decoding section):
/// it reports errors as return codes, where libpng's classic API long-jumps (which must not cross managed frames) and
/// its simplified API composites alpha and applies gAMA, which PIL does not. Alpha and palette transparency are
/// dropped, gAMA is ignored and 16-bit samples keep their high byte, as PIL's <c>convert("RGB")</c> does for RGB.
/// </remarks>
internal static unsafe class PngDecoder
{
    // Bounds what libspng may cache of ancillary chunks (text, ICC profiles), which can be compressed bombs.
    private const nuint ChunkCacheLimit = 64 << 20;

    /// <summary>Decodes <paramref name="encoded"/>, whose header <paramref name="info"/> the caller has checked against its bounds, into <paramref name="destination"/>.</summary>
    internal static void Decode(ReadOnlySpan<byte> encoded, in ImageInfo info, Span<byte> destination, int maxSide)
    {
        // libspng 0.7 cannot reset a context for a new image, so each image gets its own. It lives only inside this
        // call and is freed in the finally below; a SafeHandle would be one managed allocation per image for nothing.
        nint context = Spng.spng_ctx_new(0);
        if (context == 0)
        {
            throw new InsufficientMemoryException("spng_ctx_new could not allocate a PNG decoding context.");
        }

        try
        {
            Decode(context, encoded, info, destination, maxSide);
        }
        finally
        {
            Spng.spng_ctx_free(context);
        }
    }

    private static void Decode(nint context, ReadOnlySpan<byte> encoded, in ImageInfo info, Span<byte> destination, int maxSide)
    {
        fixed (byte* source = encoded)
        fixed (byte* target = destination)
        {
            Check(Spng.spng_set_image_limits(context, (uint)maxSide, (uint)maxSide));
            Check(Spng.spng_set_chunk_limits(context, (nuint)encoded.Length, ChunkCacheLimit));
            Check(Spng.spng_set_png_buffer(context, source, (nuint)encoded.Length));
            Check(Spng.spng_decoded_image_size(context, Spng.FormatRgb8, out nuint length));
            if (length != (nuint)(info.PixelCount * 3))
            {
                ImageDataErrors.ThrowMalformed(ImageFormat.Png, string.Create(
                    CultureInfo.InvariantCulture, $"the decoder expects {length} bytes for a {info.Width} x {info.Height} image"));
            }

            Check(Spng.spng_decode_image(context, target, length, Spng.FormatRgb8, 0));
        }
    }

    private static void Check(int error)
    {
        if (error == Spng.Ok)
        {
            return;
        }

        if (error == Spng.OutOfMemory)
        {
            throw new InsufficientMemoryException("libspng could not allocate memory to decode a PNG image.");
        }

        if (error == Spng.IoEof)
        {
            ImageDataErrors.ThrowCorrupt(ImageFormat.Png, "the data ends before the image does");
        }

        ImageDataErrors.ThrowCorrupt(ImageFormat.Png, Spng.GetErrorMessage(error));
    }
}
