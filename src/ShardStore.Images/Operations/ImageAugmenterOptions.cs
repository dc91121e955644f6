namespace ShardStore.Images.Operations;

/// <summary>What an <see cref="ImageAugmenter"/> makes of a decoded image: crop, resize, flip and output format.</summary>
public sealed record ImageAugmenterOptions
{
    /// <summary>Gets the output width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Gets the output height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Gets which region of the image is resized to the output size; random resized crops by default.</summary>
    public CropMode CropMode { get; init; } = CropMode.RandomResized;

    /// <summary>Gets the lower end of the area range of <see cref="CropMode.RandomResized"/>, as a fraction of the image.</summary>
    public double MinScale { get; init; } = ImageGeometry.DefaultMinScale;

    /// <summary>Gets the upper end of the area range of <see cref="CropMode.RandomResized"/>.</summary>
    public double MaxScale { get; init; } = ImageGeometry.DefaultMaxScale;

    /// <summary>Gets the lower end of the aspect ratio (width / height) range of <see cref="CropMode.RandomResized"/>.</summary>
    public double MinRatio { get; init; } = ImageGeometry.DefaultMinRatio;

    /// <summary>Gets the upper end of the aspect ratio range of <see cref="CropMode.RandomResized"/>.</summary>
    public double MaxRatio { get; init; } = ImageGeometry.DefaultMaxRatio;

    /// <summary>
    /// Gets the fraction of the largest centred region of the output's aspect ratio that <see cref="CropMode.Center"/>
    /// keeps, in (0, 1]; 0.875 (224 / 256) by default.
    /// </summary>
    public double CenterCropFraction { get; init; } = 0.875;

    /// <summary>Gets the resampling filter; bilinear with antialiasing by default.</summary>
    public ResizeMode ResizeMode { get; init; } = ResizeMode.Bilinear;

    /// <summary>Gets the probability of a horizontal flip, in [0, 1]; 0 by default.</summary>
    public double FlipProbability { get; init; }

    /// <summary>Gets the output element type: <see cref="DType.U8"/> (default), <see cref="DType.F16"/>, <see cref="DType.BF16"/> or <see cref="DType.F32"/>.</summary>
    public DType DType { get; init; } = DType.U8;

    /// <summary>Gets the output element order; channel planes (CHW, batches are NCHW) by default.</summary>
    public ImageLayout Layout { get; init; } = ImageLayout.Chw;

    /// <summary>Gets the per-channel means (R, G, B, in [0, 1] units) of the normalisation, or null for none.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Gets the per-channel standard deviations of the normalisation, or null for none.</summary>
    public IReadOnlyList<float>? Std { get; init; }
}
