namespace ShardStore.Images.Codecs;

/// <summary>How an encoded image stores its colour; the decoder turns every one of them into RGB.</summary>
public enum ImageColorSpace
{
    /// <summary>One luminance component (JPEG or PNG gray).</summary>
    Gray = 0,

    /// <summary>PNG gray with an alpha channel; the alpha is dropped when decoding.</summary>
    GrayAlpha = 1,

    /// <summary>RGB: PNG truecolour, or a JPEG stored without a colour transform.</summary>
    Rgb = 2,

    /// <summary>PNG truecolour with an alpha channel; the alpha is dropped when decoding.</summary>
    Rgba = 3,

    /// <summary>PNG indexed colour; palette transparency is dropped when decoding.</summary>
    Palette = 4,

    /// <summary>JPEG YCbCr, the usual colour JPEG.</summary>
    YCbCr = 5,

    /// <summary>JPEG CMYK (four components).</summary>
    Cmyk = 6,

    /// <summary>JPEG YCCK (CMYK stored with a colour transform).</summary>
    Ycck = 7,
}
