using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;

namespace ShardStore.Images.Transforms;

/// <summary>What an <see cref="ImageTransform"/> reads, how it crops, flips and normalises, and what it writes.</summary>
public sealed record ImageTransformOptions
{
    /// <summary>Gets the name of the variable-length u8 field that holds each sample's encoded JPEG or PNG bytes.</summary>
    public required string InputField { get; init; }

    /// <summary>Gets the name of the output field; null (the default) reuses <see cref="InputField"/>, which the output replaces.</summary>
    public string? OutputField { get; init; }

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

    /// <summary>Gets the fraction of the largest centred region that <see cref="CropMode.Center"/> keeps, in (0, 1]; 0.875 by default.</summary>
    public double CenterCropFraction { get; init; } = 0.875;

    /// <summary>Gets the resampling filter; bilinear with antialiasing by default.</summary>
    public ResizeMode ResizeMode { get; init; } = ResizeMode.Bilinear;

    /// <summary>Gets the probability of a horizontal flip, in [0, 1]; 0 by default.</summary>
    public double FlipProbability { get; init; }

    /// <summary>Gets the output element type: <see cref="DType.U8"/> (default), <see cref="DType.F16"/>, <see cref="DType.BF16"/> or <see cref="DType.F32"/>.</summary>
    public DType DType { get; init; } = DType.U8;

    /// <summary>Gets the output element order: channel planes (CHW, shape [3, H, W]; the default) or interleaved (HWC, shape [H, W, 3]).</summary>
    public ImageLayout Layout { get; init; } = ImageLayout.Chw;

    /// <summary>Gets the per-channel means (R, G, B, in [0, 1] units) of the normalisation, or null for none; see <see cref="ImageNetMean"/>.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Gets the per-channel standard deviations of the normalisation, or null for none; see <see cref="ImageNetStd"/>.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>
    /// Gets whether a JPEG much larger than the crop needs is decoded scaled down in the DCT domain, at the smallest of
    /// 1/8, 1/4 and 1/2 that still gives the crop at least the output's pixels; true by default. The output then differs
    /// from a full-size decode only by resampling, and the decode is several times faster on large photographs. The
    /// other scales TurboJPEG offers (3/8 to 7/8) are not used: they decode slower than full size.
    /// </summary>
    public bool ScaledDecoding { get; init; } = true;

    /// <summary>Gets the decoder's bounds on declared image sizes; larger images are rejected as bad samples before anything is allocated.</summary>
    public ImageDecoderOptions Decoder { get; init; } = ImageDecoderOptions.Default;

    /// <summary>Gets the ImageNet training set's per-channel means (R, G, B), as torchvision's examples normalise with.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = Array.AsReadOnly([0.485f, 0.456f, 0.406f]);

    /// <summary>Gets the ImageNet training set's per-channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = Array.AsReadOnly([0.229f, 0.224f, 0.225f]);
}
