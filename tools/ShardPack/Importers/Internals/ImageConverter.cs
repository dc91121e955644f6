using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;

namespace ShardPack.Importers.Internals;

/// <summary>
/// Checks each image's header and turns it into what <c>--store</c> and <c>--max-side</c> ask for: the file's bytes
/// unchanged, a JPEG (re-encoded, or resized and re-encoded), or decoded RGB pixels. One thread; buffers are kept and
/// grow to the largest image so far.
/// </summary>
internal sealed class ImageConverter : IDisposable
{
    // One thread only (the importer's): the codecs, the resizer and the buffers below.
    private readonly ImageDecoder _decoder = new();
    private readonly ImageResizer _resizer = new();
    private readonly JpegEncoder _encoder;
    private byte[] _decoded = [];
    private byte[] _resized = [];
    private byte[] _encoded = [];

    public ImageConverter(ImageStore store, int maxSide, int jpegQuality)
    {
        Store = store;
        MaxSide = maxSide;
        _encoder = new JpegEncoder(jpegQuality);
    }

    public ImageStore Store { get; }

    /// <summary>Gets the longest side kept; 0 when no image is resized.</summary>
    public int MaxSide { get; }

    /// <summary>Gets the number of images resized so far.</summary>
    public long Resized { get; private set; }

    /// <summary>Gets the number of images encoded as JPEG again so far (resized ones included).</summary>
    public long Encoded { get; private set; }

    /// <summary>Returns the size an image of <paramref name="width"/> x <paramref name="height"/> is stored at: its longer side at most <paramref name="maxSide"/>, the aspect ratio kept to the nearest pixel.</summary>
    public static ImageSize GetStoredSize(int width, int height, int maxSide)
    {
        int longer = Math.Max(width, height);
        if (maxSide <= 0 || longer <= maxSide)
        {
            return new ImageSize(width, height);
        }

        int Scale(int side) => (int)Math.Max(1, Math.Round((double)side * maxSide / longer, MidpointRounding.AwayFromZero));
        return width >= height ? new ImageSize(maxSide, Scale(height)) : new ImageSize(Scale(width), maxSide);
    }

    /// <summary>Checks <paramref name="encoded"/> and returns the bytes to store, which stay valid until the next call.</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <param name="size">The stored image's size (for <see cref="ImageStore.Raw"/>, the pixel array's).</param>
    /// <exception cref="InvalidDataException">Not a JPEG or PNG image, or malformed; when decoded, corrupt or truncated.</exception>
    public ReadOnlySpan<byte> Convert(ReadOnlySpan<byte> encoded, out ImageSize size)
    {
        ImageInfo info = _decoder.ReadInfo(encoded);
        size = GetStoredSize(info.Width, info.Height, MaxSide);
        bool resize = size.Width != info.Width || size.Height != info.Height;
        bool keep = !resize && (Store == ImageStore.Original || (Store == ImageStore.Jpeg && info.Format == ImageFormat.Jpeg));
        if (keep)
        {
            return encoded;
        }

        ReadOnlySpan<byte> pixels = Decode(encoded, info, size, resize);
        if (Store == ImageStore.Raw)
        {
            return pixels;
        }

        Grow(ref _encoded, _encoder.GetMaxEncodedLength(size.Width, size.Height));
        _encoder.TryEncode(pixels, size.Width, size.Height, _encoded, out int written);
        Encoded++;
        return _encoded.AsSpan(0, written);
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _encoder.Dispose();
    }

    private ReadOnlySpan<byte> Decode(scoped ReadOnlySpan<byte> encoded, ImageInfo info, ImageSize size, bool resize)
    {
        if (!resize)
        {
            Grow(ref _decoded, size.RgbByteCount);
            ImageSize full = _decoder.Decode(encoded, _decoded);
            return _decoded.AsSpan(0, (int)full.RgbByteCount);
        }

        // As PIL's thumbnail() with its default reducing gap of 2: a JPEG is decoded in the DCT domain down to no less
        // than twice the target, then the antialiased filter does the rest, so the result is close to a full decode's.
        int minWidth = (int)Math.Min(info.Width, 2L * size.Width), minHeight = (int)Math.Min(info.Height, 2L * size.Height);
        ImageSize decodedSize = ImageDecoder.GetDecodedSize(info, minWidth, minHeight);
        Grow(ref _decoded, decodedSize.RgbByteCount);
        ImageSize decoded = _decoder.Decode(encoded, _decoded, minWidth, minHeight);
        Grow(ref _resized, size.RgbByteCount);
        _resizer.Resize(
            _decoded.AsSpan(0, (int)decoded.RgbByteCount), decoded.Width, decoded.Height, CropRect.Full(decoded.Width, decoded.Height),
            _resized, size.Width, size.Height);
        Resized++;
        return _resized.AsSpan(0, (int)size.RgbByteCount);
    }

    private static void Grow(ref byte[] buffer, long length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)length));
        }
    }
}
