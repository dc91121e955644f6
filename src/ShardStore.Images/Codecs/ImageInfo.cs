namespace ShardStore.Images.Codecs;

/// <summary>What an encoded image's header declares, read without decoding the pixels.</summary>
/// <param name="Format">The encoded format.</param>
/// <param name="Width">The width in pixels, at least 1.</param>
/// <param name="Height">The height in pixels, at least 1.</param>
/// <param name="ColorSpace">How the file stores colour.</param>
/// <param name="Components">The number of stored components per pixel: 1 for gray and palette, 2 for gray with alpha, 3 for RGB and YCbCr, 4 for RGBA, CMYK and YCCK.</param>
/// <param name="BitDepth">Bits per stored sample: 8 for JPEG; 1, 2, 4, 8 or 16 for PNG.</param>
public readonly record struct ImageInfo(ImageFormat Format, int Width, int Height, ImageColorSpace ColorSpace, int Components, int BitDepth)
{
    /// <summary>Gets the number of pixels, <see cref="Width"/> times <see cref="Height"/>.</summary>
    public long PixelCount => (long)Width * Height;
}
