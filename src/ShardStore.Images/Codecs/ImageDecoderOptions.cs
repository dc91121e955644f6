namespace ShardStore.Images.Codecs;

/// <summary>Bounds and behaviour of an <see cref="ImageDecoder"/>.</summary>
public sealed class ImageDecoderOptions
{
    /// <summary>The default bound on pixels per image, 2^26 (for example 8192 x 8192).</summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>The default bound on either side, 65,500 pixels (the JPEG format's own limit).</summary>
    public const int DefaultMaxSide = 65_500;

    /// <summary>Gets the largest pixel count (width times height) an image may declare; larger ones are refused before anything is allocated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public long MaxPixels
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxPixels;

    /// <summary>Gets the largest width or height an image may declare; larger ones are refused before anything is allocated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxSide
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxSide;

    /// <summary>Gets the default options.</summary>
    public static ImageDecoderOptions Default { get; } = new();
}
