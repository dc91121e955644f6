using ShardStore.Transforms;

namespace ShardStore.Images.Operations;

/// <summary>
/// The geometric decisions of the image transforms: which rectangle to crop and whether to flip, drawn from a
/// <see cref="TransformRandom"/> so they replay for the same sample in the same epoch.
/// </summary>
public static class ImageGeometry
{
    /// <summary>The default area range of <see cref="RandomResizedCrop"/>, as a fraction of the image (torchvision's).</summary>
    public const double DefaultMinScale = 0.08;

    /// <summary>The default upper end of the area range of <see cref="RandomResizedCrop"/>.</summary>
    public const double DefaultMaxScale = 1.0;

    /// <summary>The default lower end of the aspect ratio (width / height) range of <see cref="RandomResizedCrop"/>.</summary>
    public const double DefaultMinRatio = 3.0 / 4.0;

    /// <summary>The default upper end of the aspect ratio range of <see cref="RandomResizedCrop"/>.</summary>
    public const double DefaultMaxRatio = 4.0 / 3.0;

    private const int RandomResizedCropAttempts = 10;

    /// <summary>
    /// Returns the centred <paramref name="cropWidth"/> x <paramref name="cropHeight"/> rectangle of a
    /// <paramref name="width"/> x <paramref name="height"/> image, its offsets rounded half to even as torchvision's
    /// <c>center_crop</c> does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the crop is larger than the image.</exception>
    public static CropRect CenterCrop(int width, int height, int cropWidth, int cropHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropHeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cropWidth, width);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cropHeight, height);
        int top = (int)Math.Round((height - cropHeight) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((width - cropWidth) / 2.0, MidpointRounding.ToEven);
        return new CropRect(left, top, cropWidth, cropHeight);
    }

    /// <summary>
    /// Draws the crop of torchvision's <c>RandomResizedCrop.get_params</c>: up to 10 attempts of an area uniform in
    /// [<paramref name="minScale"/>, <paramref name="maxScale"/>) of the image and an aspect ratio log-uniform in
    /// [<paramref name="minRatio"/>, <paramref name="maxRatio"/>), sides rounded half to even, kept at a uniform
    /// position when it fits; else the whole image with its ratio clamped into the range, centred.
    /// </summary>
    /// <remarks>
    /// Draws in torchvision's order: area, ratio, then (when the crop fits) the top row and the left column. The same
    /// generator state gives the same rectangle; the rectangle always lies inside the image.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A size is not positive, or a range is empty, negative or not finite (scales above 1 are allowed, as torchvision allows them).
    /// </exception>
    public static CropRect RandomResizedCrop(
        int width,
        int height,
        ref TransformRandom random,
        double minScale = DefaultMinScale,
        double maxScale = DefaultMaxScale,
        double minRatio = DefaultMinRatio,
        double maxRatio = DefaultMaxRatio)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckRange(minScale, maxScale, nameof(minScale));
        CheckRange(minRatio, maxRatio, nameof(minRatio));

        double area = (double)width * height;
        double logMinRatio = Math.Log(minRatio);
        double logMaxRatio = Math.Log(maxRatio);
        for (int attempt = 0; attempt < RandomResizedCropAttempts; attempt++)
        {
            double targetArea = area * random.NextDouble(minScale, maxScale);
            double aspectRatio = Math.Exp(random.NextDouble(logMinRatio, logMaxRatio));
            double w = Math.Round(Math.Sqrt(targetArea * aspectRatio), MidpointRounding.ToEven);
            double h = Math.Round(Math.Sqrt(targetArea / aspectRatio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int cropWidth = (int)w;
                int cropHeight = (int)h;
                int top = random.NextInt32(height - cropHeight + 1);
                int left = random.NextInt32(width - cropWidth + 1);
                return new CropRect(left, top, cropWidth, cropHeight);
            }
        }

        // Fallback: the whole image, its ratio clamped into the range, centred.
        double inRatio = (double)width / height;
        int fallbackWidth = width;
        int fallbackHeight = height;
        if (inRatio < minRatio)
        {
            fallbackHeight = Math.Clamp((int)Math.Round(width / minRatio, MidpointRounding.ToEven), 1, height);
        }
        else if (inRatio > maxRatio)
        {
            fallbackWidth = Math.Clamp((int)Math.Round(height * maxRatio, MidpointRounding.ToEven), 1, width);
        }

        return new CropRect((width - fallbackWidth) / 2, (height - fallbackHeight) / 2, fallbackWidth, fallbackHeight);
    }

    /// <summary>Draws whether to flip the image horizontally: true with probability <paramref name="probability"/>.</summary>
    /// <remarks>Draws nothing when <paramref name="probability"/> is 0 or 1, so a pipeline without flips keeps its other draws.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not in [0, 1].</exception>
    public static bool HorizontalFlip(ref TransformRandom random, double probability = 0.5)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The flip probability must be in [0, 1].");
        }

        return probability switch
        {
            0 => false,
            1 => true,
            _ => random.NextBoolean(probability),
        };
    }

    private static void CheckRange(double min, double max, string name)
    {
        if (!(double.IsFinite(min) && double.IsFinite(max) && min > 0 && min <= max))
        {
            throw new ArgumentOutOfRangeException(name, $"The range [{min}, {max}] must be finite, positive and not reversed.");
        }
    }
}
