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

    /// <summary>
    /// Gets what is made of each decoded image: output width and height, crop mode and ranges, resize mode, flip
    /// probability, output type, layout and normalisation (see <see cref="ImageNetMean"/>, <see cref="ImageNetStd"/>).
    /// </summary>
    public required ImageAugmenterOptions Image { get; init; }

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
