namespace ShardStore.Images.Codecs;

/// <summary>The size of a decoded image, in pixels; the decoded RGB data is <c>Width * Height * 3</c> bytes.</summary>
/// <param name="Width">The width in pixels.</param>
/// <param name="Height">The height in pixels.</param>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Gets the number of bytes of the decoded interleaved RGB image, <c>Width * Height * 3</c>.</summary>
    public long RgbByteCount => (long)Width * Height * 3;
}
