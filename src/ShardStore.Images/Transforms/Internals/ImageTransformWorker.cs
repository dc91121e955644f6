using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;
using ShardStore.Transforms;

namespace ShardStore.Images.Transforms.Internals;

/// <summary>One decode worker's <see cref="ImageTransform"/>: a decoder, an augmenter and the decoded-image scratch, reused.</summary>
internal sealed class ImageTransformWorker : ISampleTransformWorker, IDisposable
{
    // Scratch is rounded up to this many bytes so a stream of slightly different sizes does not reallocate each time.
    private const int ScratchGranule = 64 * 1024;

    // One thread at a time (the decode worker's): the decoder, the augmenter's scratch and the decoded image.
    private readonly ImageDecoder _decoder;
    private readonly ImageAugmenter _augmenter;
    private readonly bool _scaled;
    private byte[] _decoded = [];

    public ImageTransformWorker(ImageAugmenter augmenter, ImageDecoderOptions decoder, bool scaled)
    {
        _augmenter = augmenter;
        _decoder = new ImageDecoder(decoder);
        _scaled = scaled;
    }

    public void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random)
    {
        ReadOnlySpan<byte> encoded = inputs[0];
        ImageInfo info = _decoder.ReadInfo(encoded);

        // The draws are made on the full size, so they do not depend on the scale the decoder picks.
        ImageAugmentation plan = _augmenter.Sample(info.Width, info.Height, ref random);
        int minWidth = 0;
        int minHeight = 0;
        if (_scaled)
        {
            (int needWidth, int needHeight) = _augmenter.GetMinimumSourceSize(plan);
            int denominator = JpegScale.Denominator(info, needWidth, needHeight);
            if (denominator > 1)
            {
                minWidth = JpegScale.Scaled(info.Width, denominator);
                minHeight = JpegScale.Scaled(info.Height, denominator);
            }
        }

        ImageSize size = ImageDecoder.GetDecodedSize(info, minWidth, minHeight);
        Span<byte> decoded = Scratch(size.RgbByteCount);
        ImageSize got = _decoder.Decode(encoded, decoded, minWidth, minHeight);
        _augmenter.Apply(plan, decoded[..(int)got.RgbByteCount], got.Width, got.Height, outputs[0]);
    }

    public void Dispose() => _decoder.Dispose();

    private Span<byte> Scratch(long bytes)
    {
        if (bytes > _decoded.Length)
        {
            if (bytes > Array.MaxLength)
            {
                throw new InvalidDataException(
                    $"The decoded image needs {bytes} bytes, more than one buffer can hold; lower ImageTransformOptions.Decoder.MaxPixels to reject such images.");
            }

            long rounded = Math.Min((bytes + ScratchGranule - 1) / ScratchGranule * ScratchGranule, Array.MaxLength);
            _decoded = GC.AllocateUninitializedArray<byte>((int)rounded);
        }

        return _decoded.AsSpan(0, (int)bytes);
    }
}
