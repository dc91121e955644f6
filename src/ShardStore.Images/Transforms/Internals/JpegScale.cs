using ShardStore.Images.Codecs;

namespace ShardStore.Images.Transforms.Internals;

/// <summary>
/// Which DCT scale the image transform decodes a JPEG at: the smallest of 1/8, 1/4 and 1/2 that still covers the
/// crop's needs, else full size.
/// </summary>
/// <remarks>
/// libjpeg-turbo 2.1 has SIMD inverse DCTs for full size, 1/2 and 1/4 (1/8 keeps only the DC term); its other
/// scales (3/8, 5/8, 3/4, 7/8) run in plain C and decode a 500 x 375 photograph at about half the full-size rate
/// (bench/results/2026-12-02-images.md), so they are never chosen.
/// </remarks>
internal static class JpegScale
{
    /// <summary>Returns the denominator (1, 2, 4 or 8) of the scale for a <paramref name="info"/> image that must decode to at least <paramref name="minWidth"/> x <paramref name="minHeight"/>.</summary>
    public static int Denominator(in ImageInfo info, int minWidth, int minHeight)
    {
        if (info.Format != ImageFormat.Jpeg)
        {
            return 1;
        }

        for (int denominator = 8; denominator > 1; denominator /= 2)
        {
            if (Scaled(info.Width, denominator) >= minWidth && Scaled(info.Height, denominator) >= minHeight)
            {
                return denominator;
            }
        }

        return 1;
    }

    /// <summary>TurboJPEG's TJSCALED for 1/<paramref name="denominator"/>: the dimension divided, rounded up.</summary>
    public static int Scaled(int dimension, int denominator) => (dimension + denominator - 1) / denominator;
}
