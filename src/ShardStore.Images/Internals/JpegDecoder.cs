using System.Diagnostics;
using ShardStore.Images.Codecs;
using ShardStore.Images.Interop;
using static ShardStore.Images.Interop.Interop;

namespace ShardStore.Images.Internals;

/// <summary>Decodes JPEG through one TurboJPEG decompressor; one thread at a time, like the handle it owns.</summary>
internal sealed unsafe class JpegDecoder : IDisposable
{
    // Sorted by increasing value; tjGetScalingFactors returns a static list, so it is read once per process.
    private static readonly Lazy<TurboJpeg.ScalingFactor[]> s_scalingFactors = new(LoadScalingFactors);

    // One thread only: the decompressor and the CMYK scratch are used by the owning decoder's thread.
    private readonly TurboJpegDecompressorHandle _handle = TurboJpegDecompressorHandle.Create();
    private byte[] _cmykScratch = [];

    /// <summary>Gets the scaling factors the loaded TurboJPEG supports, smallest first.</summary>
    internal static ReadOnlySpan<TurboJpeg.ScalingFactor> ScalingFactors => s_scalingFactors.Value;

    /// <summary>Reads the header: size, colour space and component count.</summary>
    internal ImageInfo ReadInfo(ReadOnlySpan<byte> encoded)
    {
        int width, height, colorSpace;
        fixed (byte* source = encoded)
        {
            if (TurboJpeg.tjDecompressHeader3(_handle, source, (nuint)encoded.Length, out width, out height, out _, out colorSpace) != 0)
            {
                ImageDataErrors.ThrowMalformed(ImageFormat.Jpeg, TurboJpeg.GetErrorMessage(_handle));
            }
        }

        (ImageColorSpace space, int components) = colorSpace switch
        {
            TurboJpeg.ColorSpaceGray => (ImageColorSpace.Gray, 1),
            TurboJpeg.ColorSpaceRgb => (ImageColorSpace.Rgb, 3),
            TurboJpeg.ColorSpaceYCbCr => (ImageColorSpace.YCbCr, 3),
            TurboJpeg.ColorSpaceCmyk => (ImageColorSpace.Cmyk, 4),
            TurboJpeg.ColorSpaceYcck => (ImageColorSpace.Ycck, 4),
            _ => (ImageColorSpace.YCbCr, 3),
        };
        return new ImageInfo(ImageFormat.Jpeg, width, height, space, components, 8);
    }

    /// <summary>Picks the smallest scaling factor whose output is at least <paramref name="minWidth"/> x <paramref name="minHeight"/>, or 1/1 (also when both are 0: no target).</summary>
    internal static TurboJpeg.ScalingFactor ChooseScale(int width, int height, int minWidth, int minHeight)
    {
        if (minWidth == 0 && minHeight == 0)
        {
            return new TurboJpeg.ScalingFactor(1, 1);
        }

        foreach (TurboJpeg.ScalingFactor factor in ScalingFactors)
        {
            if (factor.Num > factor.Denom)
            {
                break;
            }

            if (factor.Scale(width) >= minWidth && factor.Scale(height) >= minHeight)
            {
                return factor;
            }
        }

        return new TurboJpeg.ScalingFactor(1, 1);
    }

    /// <summary>Decodes into <paramref name="destination"/> as interleaved RGB at <paramref name="scale"/>; the caller has checked the header and the destination's length.</summary>
    internal void Decode(ReadOnlySpan<byte> encoded, in ImageInfo info, TurboJpeg.ScalingFactor scale, Span<byte> destination)
    {
        int width = scale.Scale(info.Width);
        int height = scale.Scale(info.Height);
        Debug.Assert(destination.Length >= (long)width * height * 3);
        if (info.Components == 4)
        {
            // TurboJPEG decodes CMYK and YCCK only to CMYK; the conversion to RGB is ours (PIL's rounding).
            int cmykLength = checked(width * height * 4);
            if (_cmykScratch.Length < cmykLength)
            {
                _cmykScratch = GC.AllocateUninitializedArray<byte>(cmykLength);
            }

            Span<byte> cmyk = _cmykScratch.AsSpan(0, cmykLength);
            Run(encoded, cmyk, width, height, width * 4, TurboJpeg.PixelFormatCmyk);
            CmykConverter.ToRgb(cmyk, destination);
            return;
        }

        Run(encoded, destination, width, height, width * 3, TurboJpeg.PixelFormatRgb);
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    private void Run(ReadOnlySpan<byte> encoded, Span<byte> destination, int width, int height, int pitch, int pixelFormat)
    {
        fixed (byte* source = encoded)
        fixed (byte* target = destination)
        {
            // Stop at the first warning: truncated data and corrupt entropy-coded data are only warnings to libjpeg.
            int flags = TurboJpeg.FlagLimitScans | TurboJpeg.FlagStopOnWarning;
            if (TurboJpeg.tjDecompress2(_handle, source, (nuint)encoded.Length, target, width, pitch, height, pixelFormat, flags) == 0)
            {
                return;
            }

            string message = TurboJpeg.GetErrorMessage(_handle);
            if (TurboJpeg.tjGetErrorCode(_handle) != TurboJpeg.ErrorWarning || !IsBenignWarning(message))
            {
                ImageDataErrors.ThrowCorrupt(ImageFormat.Jpeg, message);
            }

            // A benign first warning (stray bytes between segments, an unknown JFIF or Adobe version): decode
            // again without stopping, as PIL does, but still refuse a failure.
            if (TurboJpeg.tjDecompress2(_handle, source, (nuint)encoded.Length, target, width, pitch, height, pixelFormat, TurboJpeg.FlagLimitScans) != 0
                && TurboJpeg.tjGetErrorCode(_handle) != TurboJpeg.ErrorWarning)
            {
                ImageDataErrors.ThrowCorrupt(ImageFormat.Jpeg, TurboJpeg.GetErrorMessage(_handle));
            }
        }
    }

    // libjpeg's warnings that leave the image intact: JWRN_EXTRANEOUS_DATA, JWRN_BOGUS_ICC, and the "Warning: unknown
    // JFIF revision / Adobe transform" ones. Every other warning (premature end of file or data segment, bad Huffman or
    // arithmetic code, lost restart marker, inconsistent progression) means pixels were made up.
    private static bool IsBenignWarning(string message) =>
        message.Contains("extraneous bytes", StringComparison.Ordinal)
        || message.Contains("bad ICC marker", StringComparison.Ordinal)
        || message.Contains("Warning:", StringComparison.Ordinal);

    private static TurboJpeg.ScalingFactor[] LoadScalingFactors()
    {
        TurboJpeg.ScalingFactor* list = TurboJpeg.tjGetScalingFactors(out int count);
        if (list is null || count <= 0)
        {
            return [new TurboJpeg.ScalingFactor(1, 1)];
        }

        TurboJpeg.ScalingFactor[] factors = new ReadOnlySpan<TurboJpeg.ScalingFactor>(list, count).ToArray();
        Array.Sort(factors, static (a, b) => ((long)a.Num * b.Denom).CompareTo((long)b.Num * a.Denom));
        return factors;
    }
}
