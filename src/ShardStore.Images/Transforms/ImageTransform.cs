using ShardStore.Images.Operations;
using ShardStore.Images.Transforms.Internals;
using ShardStore.Transforms;

namespace ShardStore.Images.Transforms;

/// <summary>
/// The built-in image transform: decodes each sample's JPEG or PNG bytes on the loader's decode workers, crops (random
/// resized, centred or whole), resizes, flips at random and writes the image into the batch as u8, f16, bf16 or f32,
/// CHW or HWC, normalised if asked.
/// </summary>
/// <remarks>
/// <para>
/// The output field has shape [3, H, W] (CHW) or [H, W, 3] (HWC) and replaces the input field in the loader's schema.
/// Each decode worker gets its own decoder, augmenter and scratch memory; after the largest image so far has been
/// seen, a sample allocates nothing. The crop and the flip are drawn from the loader's per-sample generator in
/// full-size coordinates before decoding, so the same sample gets the same crop whatever the worker count, world size
/// or resume point; then, with <see cref="ImageTransformOptions.ScaledDecoding"/>, a JPEG is decoded at the smallest
/// DCT scale of 1/8, 1/4 and 1/2 that still covers the crop at the output size.
/// </para>
/// <para>
/// Gray, CMYK and YCCK JPEGs and every PNG colour type come out RGB; EXIF orientation is ignored (see
/// <see cref="Codecs.ImageDecoder"/>). A sample that is not a JPEG or PNG, is truncated or corrupt, or declares a
/// size beyond <see cref="ImageTransformOptions.Decoder"/>'s bounds throws <see cref="InvalidDataException"/> from
/// <see cref="ISampleTransformWorker.Apply"/>: the loader reports it with the sample, shard and chunk, or skips it,
/// as <see cref="ShardLoaderOptions.TransformErrors"/> says. JPEG decoding needs <c>libturbojpeg.so.0</c> and PNG
/// <c>libspng.so.0</c>; a missing library stops the loader with a <see cref="DllNotFoundException"/> saying what to install.
/// </para>
/// </remarks>
public sealed class ImageTransform : ISampleTransform
{
    // Immutable after construction.
    private readonly ImageAugmenterOptions _augmenterOptions;

    /// <summary>Creates the transform <paramref name="options"/> describe.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its names is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, range, fraction, probability, mode, type or layout is out of range.</exception>
    /// <exception cref="ArgumentException">A field name is empty, or the normalisation is not valid for the output type.</exception>
    public ImageTransform(ImageTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.InputField, nameof(options.InputField));
        if (options.OutputField is { Length: 0 })
        {
            throw new ArgumentException("The output field name must not be empty (null reuses the input field's name).", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Decoder, nameof(options.Decoder));
        ArgumentNullException.ThrowIfNull(options.Image, nameof(options.Image));
        _augmenterOptions = options.Image;

        // Checks every option once, with the augmenter's own messages.
        _ = new ImageAugmenter(_augmenterOptions);
        Options = options;
        ImageAugmenterOptions image = options.Image;
        Output = image.Layout == ImageLayout.Hwc
            ? FieldSpec.Fixed(options.OutputField ?? options.InputField, image.DType, image.Height, image.Width, 3)
            : FieldSpec.Fixed(options.OutputField ?? options.InputField, image.DType, 3, image.Height, image.Width);
    }

    /// <summary>Gets the options this transform was created with.</summary>
    public ImageTransformOptions Options { get; }

    /// <summary>Gets the output field: <see cref="ImageAugmenterOptions.DType"/> with shape [3, H, W] (CHW) or [H, W, 3] (HWC).</summary>
    public FieldSpec Output { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The schema has no field named <see cref="ImageTransformOptions.InputField"/>, or it is not a variable-length u8 field.</exception>
    public TransformSignature Bind(Schema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int at = input.IndexOf(Options.InputField);
        if (at < 0)
        {
            throw new ArgumentException($"ImageTransform reads field '{Options.InputField}', which is not in the schema {input}.", nameof(input));
        }

        FieldSpec spec = input[at];
        if (!spec.IsVariable || spec.DType != DType.U8)
        {
            throw new ArgumentException(
                $"ImageTransform reads encoded images from a variable-length u8 field; '{spec.Name}' is {spec}. Pack the image files' bytes as a bytes field.",
                nameof(input));
        }

        return new TransformSignature([Options.InputField], [Output]);
    }

    /// <inheritdoc/>
    public ISampleTransformWorker CreateWorker() =>
        new ImageTransformWorker(new ImageAugmenter(_augmenterOptions), Options.Decoder, Options.ScaledDecoding);
}
