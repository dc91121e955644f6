namespace ShardStore.Images.Codecs;

/// <summary>How much a JPEG encoder reduces the resolution of the two chroma planes.</summary>
public enum JpegSubsampling
{
    /// <summary>4:2:0: chroma at half width and half height, the usual choice for photographs (PIL's default).</summary>
    Chroma420 = 0,

    /// <summary>4:2:2: chroma at half width, full height.</summary>
    Chroma422 = 1,

    /// <summary>4:4:4: chroma at full resolution.</summary>
    Chroma444 = 2,
}
