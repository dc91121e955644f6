namespace ShardStore.Images.Internals;

/// <summary>Turns the CMYK samples libjpeg returns into RGB exactly as PIL does (<c>Image.open(f).convert("RGB")</c>).</summary>
/// <remarks>
/// CMYK JPEGs are assumed to follow Adobe's convention of storing inverted samples (Photoshop writes them so, and
/// PIL assumes it for every CMYK JPEG). With the inversion undone, PIL's <c>cmyk2rgb</c> computes
/// <c>nk - nk * c / 255</c> per channel with <c>nk = 255 - k</c>, rounding through its <c>MULDIV255</c>.
/// </remarks>
internal static class CmykConverter
{
    /// <summary>Converts <paramref name="cmyk"/> (four stored bytes per pixel) into <paramref name="rgb"/> (three bytes per pixel).</summary>
    internal static void ToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        int pixels = cmyk.Length / 4;
        rgb = rgb[..(pixels * 3)];
        for (int p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3)
        {
            // Stored samples are inverted: the true k is 255 - stored k, so nk is the stored k.
            int nk = cmyk[i + 3];
            rgb[o] = Channel(cmyk[i], nk);
            rgb[o + 1] = Channel(cmyk[i + 1], nk);
            rgb[o + 2] = Channel(cmyk[i + 2], nk);
        }
    }

    private static byte Channel(int stored, int nk)
    {
        int t = ((255 - stored) * nk) + 128;
        int value = nk - (((t >> 8) + t) >> 8);
        return (byte)Math.Clamp(value, 0, 255);
    }
}
