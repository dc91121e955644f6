using ShardStore.Images.Operations.Internals;
using ShardStore.Transforms;

namespace ShardStore.Images.Operations;

/// <summary>
/// The image operations of one decode worker: crops a decoded RGB u8 image (random resized, centred or whole), resizes
/// the crop straight to the output size, flips it at random and writes it into a loader slot as u8, f16, bf16 or f32,
/// CHW or HWC, normalised if asked.
/// </summary>
/// <remarks>
/// Random choices come only from the <see cref="TransformRandom"/> the caller passes: the crop first (torchvision's
/// draws), then the flip (none when the flip probability is 0 or 1). An instance owns scratch buffers: use it from one
/// thread at a time (one per worker). After construction it allocates only when an image needs a larger scratch row
/// than any before it. A caller that decodes at a reduced size draws the choices first with <see cref="Sample"/> on
/// the full size, asks <see cref="GetMinimumSourceSize(in ImageAugmentation)"/> which size still covers the crop at the
/// output size, decodes at least that large and calls
/// <see cref="Apply(in ImageAugmentation, ReadOnlySpan{byte}, int, int, Span{byte})"/> with the decoded size: the crop
/// is scaled to it, so the output differs from a full-size decode only by resampling.
/// </remarks>
public sealed class ImageAugmenter
{
    // Immutable after construction, except the resizer's scratch (one thread at a time, as the remarks say).
    private readonly ImageAugmenterOptions _options;
    private readonly ImageResizer _resizer = new();
    private readonly ImageOutputWriter _writer;
    private readonly byte[] _row;

    /// <summary>Creates the operations <paramref name="options"/> describe.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, range, fraction, probability, mode, type or layout is out of range.</exception>
    /// <exception cref="ArgumentException">The normalisation is not valid for the output type (see <see cref="ImageOutputWriter"/>).</exception>
    public ImageAugmenter(ImageAugmenterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Width, nameof(options.Width));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Height, nameof(options.Height));
        if ((long)options.Width * options.Height * 3 * 4 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"An output of {options.Width} x {options.Height} does not fit a slot of 2 GiB.");
        }

        if (options.CropMode is not (CropMode.RandomResized or CropMode.Center or CropMode.None))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CropMode, "Unknown crop mode.");
        }

        if (options.ResizeMode is not (ResizeMode.Bilinear or ResizeMode.Nearest))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ResizeMode, "Unknown resize mode.");
        }

        if (!(options.CenterCropFraction > 0 && options.CenterCropFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CenterCropFraction, "The centre crop fraction must be in (0, 1].");
        }

        // Checks the ranges and the probability once, with the messages of the operations themselves.
        var probe = new TransformRandom(0, 0, 0, 0);
        _ = ImageGeometry.RandomResizedCrop(1, 1, ref probe, options.MinScale, options.MaxScale, options.MinRatio, options.MaxRatio);
        _ = ImageGeometry.HorizontalFlip(ref probe, options.FlipProbability);

        float[] mean = options.Mean is null ? [] : [.. options.Mean];
        float[] std = options.Std is null ? [] : [.. options.Std];
        _writer = new ImageOutputWriter(options.DType, options.Layout, mean, std);
        _options = options;
        _row = new byte[(options.Width * 3) + 1];
        OutputByteCount = (int)_writer.GetByteCount(options.Width, options.Height);
    }

    /// <summary>Gets the options this instance was created with.</summary>
    public ImageAugmenterOptions Options => _options;

    /// <summary>Gets the number of bytes one output image takes.</summary>
    public int OutputByteCount { get; }

    /// <summary>Draws the crop and the flip for a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public ImageAugmentation Sample(int width, int height, ref TransformRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CropRect crop = _options.CropMode switch
        {
            CropMode.RandomResized => ImageGeometry.RandomResizedCrop(
                width, height, ref random, _options.MinScale, _options.MaxScale, _options.MinRatio, _options.MaxRatio),
            CropMode.Center => CenterRegion(width, height),
            _ => CropRect.Full(width, height),
        };
        bool flip = ImageGeometry.HorizontalFlip(ref random, _options.FlipProbability);
        return new ImageAugmentation(width, height, crop, flip);
    }

    /// <summary>
    /// Returns the smallest decoded size (each side at most the full size) at which the crop of
    /// <paramref name="augmentation"/> still has at least the output's pixels in each direction.
    /// </summary>
    public (int Width, int Height) GetMinimumSourceSize(in ImageAugmentation augmentation) =>
        MinimumSize(augmentation.SourceWidth, augmentation.SourceHeight, augmentation.Crop.Width, augmentation.Crop.Height);

    /// <summary>
    /// Returns the smallest decoded size at which every crop this instance may draw for a <paramref name="width"/> x
    /// <paramref name="height"/> image has at least the output's pixels in each direction (for a decoder that picks its
    /// size before drawing).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public (int Width, int Height) GetMinimumSourceSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        switch (_options.CropMode)
        {
            case CropMode.Center:
                CropRect center = CenterRegion(width, height);
                return MinimumSize(width, height, center.Width, center.Height);
            case CropMode.None:
                return MinimumSize(width, height, width, height);
            default:
                // The narrowest crop an attempt can keep has the smallest area and ratio, the shortest the smallest area
                // and largest ratio; the fallback clamps one side to the range.
                double smallest = (double)width * height * _options.MinScale;
                int narrowest = Math.Clamp((int)Math.Round(Math.Sqrt(smallest * _options.MinRatio)), 1, width);
                int shortest = Math.Clamp((int)Math.Round(Math.Sqrt(smallest / _options.MaxRatio)), 1, height);
                narrowest = Math.Min(narrowest, Math.Clamp((int)Math.Round(height * _options.MaxRatio), 1, width));
                shortest = Math.Min(shortest, Math.Clamp((int)Math.Round(width / _options.MinRatio), 1, height));
                return MinimumSize(width, height, narrowest, shortest);
        }
    }

    /// <summary>
    /// Draws the crop and the flip for <paramref name="source"/>, a <paramref name="width"/> x <paramref name="height"/>
    /// RGB u8 image, and writes the output to the start of <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its image.</exception>
    public void Apply(ReadOnlySpan<byte> source, int width, int height, ref TransformRandom random, Span<byte> destination) =>
        Apply(Sample(width, height, ref random), source, width, height, destination);

    /// <summary>
    /// Writes the output of <paramref name="augmentation"/> to the start of <paramref name="destination"/>, from
    /// <paramref name="source"/>: the image it was drawn for, decoded at <paramref name="width"/> x
    /// <paramref name="height"/> (the full size, or a reduced one); the crop is scaled by the ratio of the sizes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the crop is not inside the image it was drawn for.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its image.</exception>
    public void Apply(in ImageAugmentation augmentation, ReadOnlySpan<byte> source, int width, int height, Span<byte> destination)
    {
        ImageArguments.CheckRgb(source.Length, width, height, nameof(source));
        ImageArguments.CheckDestination(destination.Length, OutputByteCount, nameof(destination));
        CropRect crop = augmentation.Crop;
        if (!crop.IsInside(augmentation.SourceWidth, augmentation.SourceHeight))
        {
            throw new ArgumentOutOfRangeException(
                nameof(augmentation), crop, $"The crop must be a non-empty rectangle inside the {augmentation.SourceWidth} x {augmentation.SourceHeight} image.");
        }

        double scaleX = (double)width / augmentation.SourceWidth;
        double scaleY = (double)height / augmentation.SourceHeight;
        double left = crop.X * scaleX;
        double top = crop.Y * scaleY;
        double right = Math.Min((crop.X + crop.Width) * scaleX, width);
        double bottom = Math.Min((crop.Y + crop.Height) * scaleY, height);

        int outputWidth = _options.Width;
        int outputHeight = _options.Height;
        _resizer.Prepare(width, height, left, top, right, bottom, outputWidth, outputHeight, _options.ResizeMode, augmentation.Flip);
        for (int y = 0; y < outputHeight; y++)
        {
            _resizer.ResizeRow(source, y, _row);
            _writer.WriteRow(_row, outputWidth, outputHeight, y, destination, flip: false);
        }
    }

    private CropRect CenterRegion(int width, int height)
    {
        double aspect = (double)_options.Width / _options.Height;
        double regionWidth = width;
        double regionHeight = height;
        if ((double)width / height > aspect)
        {
            regionWidth = height * aspect;
        }
        else
        {
            regionHeight = width / aspect;
        }

        int cropWidth = Math.Clamp((int)Math.Round(regionWidth * _options.CenterCropFraction), 1, width);
        int cropHeight = Math.Clamp((int)Math.Round(regionHeight * _options.CenterCropFraction), 1, height);
        return ImageGeometry.CenterCrop(width, height, cropWidth, cropHeight);
    }

    private (int Width, int Height) MinimumSize(int width, int height, int cropWidth, int cropHeight)
    {
        double scale = Math.Max((double)_options.Width / cropWidth, (double)_options.Height / cropHeight);
        return scale >= 1
            ? (width, height)
            : (Math.Min(width, (int)Math.Ceiling(width * scale)), Math.Min(height, (int)Math.Ceiling(height * scale)));
    }
}
