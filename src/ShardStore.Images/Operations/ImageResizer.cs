using System.Diagnostics;
using ShardStore.Images.Operations.Internals;

namespace ShardStore.Images.Operations;

/// <summary>
/// Resizes a crop of an interleaved RGB u8 image (rows of width x 3 bytes, no padding) straight to the output size: a
/// separable filter, vertical pass then horizontal, with precomputed weights and a one-row scratch buffer.
/// </summary>
/// <remarks>
/// Bilinear resizing matches PIL's <c>image.crop(box).resize(size, Image.BILINEAR, reducing_gap=None)</c> (what
/// torchvision's <c>resized_crop</c> does to PIL images) within one level in almost all pixels: the same triangle
/// filter, its support widened by the scale factor when shrinking, with the taps kept inside the crop; the passes keep
/// floats between them, where PIL rounds to u8. An instance owns its scratch buffers and weights: use it from one
/// thread at a time. It allocates only when a call needs larger buffers than any call before it.
/// </remarks>
public sealed class ImageResizer
{
    // All state below: scratch and weights of the current call; one thread at a time, as the remarks say.
    private readonly ResizeWeights _columns = new();
    private readonly ResizeWeights _rows = new();
    private float[] _columnSums = [];
    private byte[] _rowScratch = [];
    private int _sourceWidth;
    private int _width;
    private int _columnLow;
    private int _columnCount;
    private int _rowLow;
    private int _copyX = -1;
    private int _copyY;
    private ResizeMode _mode;
    private bool _flip;

    /// <summary>
    /// Resizes rectangle <paramref name="crop"/> of <paramref name="source"/> to a <paramref name="width"/> x
    /// <paramref name="height"/> RGB u8 image written to the start of <paramref name="destination"/>.
    /// </summary>
    /// <param name="source">The source image, interleaved RGB u8, rows of <paramref name="sourceWidth"/> x 3 bytes.</param>
    /// <param name="sourceWidth">The width of the source image in pixels.</param>
    /// <param name="sourceHeight">The height of the source image in pixels.</param>
    /// <param name="crop">The region of the source to resize; it must lie inside the source.</param>
    /// <param name="destination">Receives <paramref name="width"/> x <paramref name="height"/> x 3 bytes.</param>
    /// <param name="width">The output width in pixels.</param>
    /// <param name="height">The output height in pixels.</param>
    /// <param name="mode">The resampling filter.</param>
    /// <param name="flipHorizontally">Whether to mirror the output left to right (at no extra cost).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or <paramref name="crop"/> is not inside the source.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its image.</exception>
    public void Resize(
        ReadOnlySpan<byte> source,
        int sourceWidth,
        int sourceHeight,
        CropRect crop,
        Span<byte> destination,
        int width,
        int height,
        ResizeMode mode = ResizeMode.Bilinear,
        bool flipHorizontally = false)
    {
        ImageArguments.CheckRgb(source.Length, sourceWidth, sourceHeight, nameof(source));
        ImageArguments.CheckRgb(destination.Length, width, height, nameof(destination));
        if (!crop.IsInside(sourceWidth, sourceHeight))
        {
            throw new ArgumentOutOfRangeException(nameof(crop), crop, $"The crop must be a non-empty rectangle inside the {sourceWidth} x {sourceHeight} source.");
        }

        Prepare(sourceWidth, sourceHeight, crop.X, crop.Y, crop.X + crop.Width, crop.Y + crop.Height, width, height, mode, flipHorizontally);
        int rowBytes = width * 3;
        Span<byte> image = destination[..(rowBytes * height)];
        for (int y = 0; y < height; y++)
        {
            ResizeRow(source, y, image[(y * rowBytes)..]);
        }
    }

    /// <summary>
    /// Computes the weights of a resize of source box [<paramref name="left"/>, <paramref name="right"/>) x
    /// [<paramref name="top"/>, <paramref name="bottom"/>) (fractional boxes allowed: a crop scaled to a smaller decode)
    /// to <paramref name="width"/> x <paramref name="height"/>; rows then come from <see cref="ResizeRow"/>.
    /// </summary>
    internal void Prepare(int sourceWidth, int sourceHeight, double left, double top, double right, double bottom, int width, int height, ResizeMode mode, bool flip)
    {
        Debug.Assert(left >= 0 && top >= 0 && right <= sourceWidth && bottom <= sourceHeight && left < right && top < bottom);
        _sourceWidth = sourceWidth;
        _width = width;
        _mode = mode;
        _flip = flip;
        _columnLow = (int)Math.Floor(left);
        int columnHigh = Math.Min((int)Math.Ceiling(right), sourceWidth);
        _columnCount = columnHigh - _columnLow;
        _rowLow = (int)Math.Floor(top);
        int rowHigh = Math.Min((int)Math.Ceiling(bottom), sourceHeight);

        bool integral = left == _columnLow && top == _rowLow && right == columnHigh && bottom == rowHigh;
        if (integral && _columnCount == width && rowHigh - _rowLow == height)
        {
            // Same size: every filter has one tap of weight 1, so rows are copies.
            (_copyX, _copyY) = (_columnLow, _rowLow);
            return;
        }

        _copyX = -1;
        _columns.Compute(left, right, _columnLow, columnHigh, width, mode);
        _rows.Compute(top, bottom, _rowLow, rowHigh, height, mode);
        if (mode == ResizeMode.Bilinear && _columnSums.Length < (_columnCount * 3) + 1)
        {
            _columnSums = new float[(_columnCount * 3) + 1];
        }

        if (_rowScratch.Length < (width * 3) + 1)
        {
            _rowScratch = new byte[(width * 3) + 1];
        }

        if (mode == ResizeMode.Bilinear)
        {
            // The horizontal pass reads one float past the last column.
            _columnSums[_columnCount * 3] = 0;
        }
    }

    /// <summary>Writes output row <paramref name="y"/> of the prepared resize to the start of <paramref name="output"/>.</summary>
    internal unsafe void ResizeRow(ReadOnlySpan<byte> source, int y, Span<byte> output)
    {
        int rowBytes = _width * 3;
        Debug.Assert(output.Length >= rowBytes);
        nint stride = _sourceWidth * 3;

        if (_copyX >= 0)
        {
            fixed (byte* sourcePointer = source)
            fixed (byte* outputPointer = output)
            {
                ResizeKernels.Copy(sourcePointer + ((_copyY + y) * stride) + (_copyX * 3), outputPointer, _width, _flip);
            }

            return;
        }

        // The kernels write one byte of padding past the row: straight into output when it has room, else via scratch.
        bool direct = output.Length > rowBytes;
        Span<byte> target = direct ? output : _rowScratch;
        fixed (byte* sourcePointer = source)
        fixed (byte* targetPointer = target)
        {
            fixed (int* columnStart = _columns.Start)
            fixed (int* columnCount = _columns.Count)
            fixed (float* columnWeights = _columns.Weights)
            fixed (float* rowWeights = _rows.Weights)
            fixed (float* sums = _columnSums)
            {
                byte* firstRow = sourcePointer + ((_rowLow + _rows.Start[y]) * stride) + (_columnLow * 3);
                if (_mode == ResizeMode.Nearest)
                {
                    ResizeKernels.Nearest(firstRow, columnStart, targetPointer, _width, _flip);
                }
                else
                {
                    ResizeKernels.Vertical(firstRow, stride, rowWeights + (y * _rows.Stride), _rows.Count[y], sums, _columnCount * 3);
                    ResizeKernels.Horizontal(sums, columnStart, columnCount, columnWeights, _columns.Stride, targetPointer, _width, _flip);
                }
            }
        }

        if (!direct)
        {
            _rowScratch.AsSpan(0, rowBytes).CopyTo(output);
        }
    }
}
