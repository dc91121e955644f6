using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ShardStore.Images.Interop;
using ShardStore.Images.Operations.Internals;
using static ShardStore.Images.Interop.Interop;

namespace ShardStore.Images.Codecs;

/// <summary>Encodes interleaved 8-bit RGB images (height x width x 3) as baseline JPEG through libjpeg-turbo's TurboJPEG API.</summary>
/// <remarks>
/// <para>
/// An instance owns one native TurboJPEG compressor and one scratch buffer of the worst-case output size, both kept
/// between images, so <see cref="TryEncode"/> allocates nothing and <see cref="Encode"/> allocates only the returned
/// array once warm. It is not thread-safe: use one per thread. Dispose it to free the compressor.
/// </para>
/// <para>
/// The output is a baseline JFIF file with libjpeg's standard tables scaled by the quality, as PIL's
/// <c>image.save(f, quality=Q)</c> writes; it decodes to within the usual JPEG error of the input. The library loads on
/// first use: <c>libturbojpeg.so.0</c> (Debian <c>libturbojpeg0</c>).
/// </para>
/// </remarks>
public sealed unsafe class JpegEncoder : IDisposable
{
    /// <summary>The quality used when none is given: 90, a common choice for training sets (FFCV's default is 90).</summary>
    public const int DefaultQuality = 90;

    // One thread only (the owner's): the compressor is created on the first image; the scratch grows to the largest worst case so far.
    private TurboJpegCompressorHandle? _handle;
    private byte[] _scratch = [];
    private bool _disposed;

    /// <summary>Initializes an encoder.</summary>
    /// <param name="quality">The JPEG quality, 1 (smallest) to 100 (best), as libjpeg's <c>-quality</c>.</param>
    /// <param name="subsampling">The chroma subsampling.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quality"/> is outside 1-100, or <paramref name="subsampling"/> is not defined.</exception>
    public JpegEncoder(int quality = DefaultQuality, JpegSubsampling subsampling = JpegSubsampling.Chroma420)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (!Enum.IsDefined(subsampling))
        {
            throw new ArgumentOutOfRangeException(nameof(subsampling), subsampling, "Use Chroma420, Chroma422 or Chroma444.");
        }

        Quality = quality;
        Subsampling = subsampling;
    }

    /// <summary>Gets the JPEG quality, 1-100.</summary>
    public int Quality { get; }

    /// <summary>Gets the chroma subsampling.</summary>
    public JpegSubsampling Subsampling { get; }

    /// <summary>Gets the most bytes the encoding of a <paramref name="width"/> x <paramref name="height"/> image can take (TurboJPEG's <c>tjBufSize</c>).</summary>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <returns>The worst-case length; a destination this long always suffices.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the worst case exceeds the largest array.</exception>
    /// <exception cref="DllNotFoundException">libturbojpeg cannot be loaded; the message says what to install.</exception>
    public int GetMaxEncodedLength(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            ThrowSize(width, height);
        }

        nuint bound = TurboJpeg.tjBufSize(width, height, NativeSubsampling);
        if (bound == nuint.MaxValue || bound > (nuint)Array.MaxLength)
        {
            ThrowSize(width, height);
        }

        return (int)bound;
    }

    /// <summary>Encodes an RGB image into <paramref name="destination"/>.</summary>
    /// <param name="rgb">The image, interleaved RGB u8, rows of <paramref name="width"/> x 3 bytes; may be longer.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="destination">Receives the JPEG file; at least <see cref="GetMaxEncodedLength"/> bytes, since TurboJPEG writes straight into it without a bound check of its own.</param>
    /// <param name="written">The length of the JPEG file written.</param>
    /// <returns>Always true; the pattern leaves room for a smaller destination later.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or too large.</exception>
    /// <exception cref="ArgumentException"><paramref name="rgb"/> is shorter than the image, or <paramref name="destination"/> shorter than <see cref="GetMaxEncodedLength"/>.</exception>
    /// <exception cref="InvalidOperationException">TurboJPEG reported a failure (the message is its text).</exception>
    /// <exception cref="DllNotFoundException">libturbojpeg cannot be loaded; the message says what to install.</exception>
    /// <exception cref="ObjectDisposedException">The encoder is disposed.</exception>
    public bool TryEncode(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> destination, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ImageArguments.CheckRgb(rgb.Length, width, height, nameof(rgb));
        int bound = GetMaxEncodedLength(width, height);
        ImageArguments.CheckDestination(destination.Length, bound, nameof(destination));
        _handle ??= TurboJpegCompressorHandle.Create();
        fixed (byte* source = rgb)
        fixed (byte* target = destination)
        {
            byte* output = target;
            nuint length = (nuint)bound;
            if (TurboJpeg.tjCompress2(_handle, source, width, width * 3, height, TurboJpeg.PixelFormatRgb, ref output, ref length, NativeSubsampling, Quality, TurboJpeg.FlagNoRealloc) != 0)
            {
                ThrowFailed(TurboJpeg.GetErrorMessage(_handle));
            }

            // With NOREALLOC the library must have written into our buffer; anything else would be memory it owns.
            if (output != target || length > (nuint)bound)
            {
                ThrowFailed("the library did not write into the buffer it was given");
            }

            written = (int)length;
            return true;
        }
    }

    /// <summary>Encodes an RGB image and returns the JPEG file.</summary>
    /// <param name="rgb">The image, interleaved RGB u8, rows of <paramref name="width"/> x 3 bytes; may be longer.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <returns>A new array holding exactly the JPEG file.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or too large.</exception>
    /// <exception cref="ArgumentException"><paramref name="rgb"/> is shorter than the image.</exception>
    /// <exception cref="InvalidOperationException">TurboJPEG reported a failure (the message is its text).</exception>
    /// <exception cref="DllNotFoundException">libturbojpeg cannot be loaded; the message says what to install.</exception>
    /// <exception cref="ObjectDisposedException">The encoder is disposed.</exception>
    public byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ImageArguments.CheckRgb(rgb.Length, width, height, nameof(rgb));
        int bound = GetMaxEncodedLength(width, height);
        if (_scratch.Length < bound)
        {
            _scratch = GC.AllocateUninitializedArray<byte>(bound);
        }

        TryEncode(rgb, width, height, _scratch, out int written);
        return _scratch.AsSpan(0, written).ToArray();
    }

    /// <summary>Frees the native compressor; harmless to call twice.</summary>
    public void Dispose()
    {
        _disposed = true;
        _handle?.Dispose();
        _handle = null;
        _scratch = [];
    }

    private int NativeSubsampling => Subsampling switch
    {
        JpegSubsampling.Chroma444 => TurboJpeg.Subsampling444,
        JpegSubsampling.Chroma422 => TurboJpeg.Subsampling422,
        _ => TurboJpeg.Subsampling420,
    };

    [DoesNotReturn]
    private static void ThrowSize(int width, int height) =>
        throw new ArgumentOutOfRangeException(
            nameof(width), string.Create(CultureInfo.InvariantCulture, $"A JPEG of {width} x {height} pixels cannot be encoded: both sides must be positive and at most 65,535, and the worst-case output must fit an array."));

    [DoesNotReturn]
    private static void ThrowFailed(string detail) =>
        throw new InvalidOperationException($"TurboJPEG could not encode the image: {detail}.");
}
