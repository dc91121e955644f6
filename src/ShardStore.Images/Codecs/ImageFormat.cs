namespace ShardStore.Images.Codecs;

/// <summary>An encoded image format, recognised from the first bytes of the data.</summary>
public enum ImageFormat
{
    /// <summary>Neither JPEG nor PNG.</summary>
    Unknown = 0,

    /// <summary>JPEG (starts with <c>FF D8 FF</c>).</summary>
    Jpeg = 1,

    /// <summary>PNG (starts with the eight-byte PNG signature).</summary>
    Png = 2,
}
