using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ShardStore.Images.Operations.Internals;

namespace ShardStore.Images.Operations;

/// <summary>
/// Writes an interleaved RGB u8 image into a loader slot as u8, f16, bf16 or f32, channel-planar (CHW) or interleaved
/// (HWC), optionally normalised per channel: <c>(x / 255 - mean[c]) / std[c]</c>.
/// </summary>
/// <remarks>
/// Each output value is a lookup in a table of 256 values per channel built at construction, so a value is exactly
/// what the formula gives in f32 arithmetic, then converted to the output type: f16 by <see cref="Half"/>'s conversion,
/// bf16 by rounding the f32 to its top 16 bits (nearest, ties to even). Without mean and std, float outputs are
/// <c>x / 255</c> (torchvision's <c>ToTensor</c>); u8 outputs are the pixels themselves and take no normalisation.
/// Elements are little-endian, written with unaligned stores. Immutable after construction: threads may share it.
/// </remarks>
public sealed class ImageOutputWriter
{
    private const int Channels = 3;

    // Immutable after construction.
    private readonly byte[]? _u8;
    private readonly ushort[]? _u16;
    private readonly float[]? _f32;

    /// <summary>Creates a writer of <paramref name="dtype"/> elements in <paramref name="layout"/> order.</summary>
    /// <param name="dtype">The output element type: <see cref="DType.U8"/>, <see cref="DType.F16"/>, <see cref="DType.BF16"/> or <see cref="DType.F32"/>.</param>
    /// <param name="layout">The order of the output elements.</param>
    /// <param name="mean">Per-channel means (R, G, B) in [0, 1] units, or empty for none; given together with <paramref name="std"/>.</param>
    /// <param name="std">Per-channel standard deviations, or empty for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> or <paramref name="layout"/> is not supported.</exception>
    /// <exception cref="ArgumentException">
    /// Mean and std are not both empty or both of 3 values, a std is zero or not finite, or they are given for u8 output.
    /// </exception>
    public ImageOutputWriter(DType dtype, ImageLayout layout, ReadOnlySpan<float> mean = default, ReadOnlySpan<float> std = default)
    {
        if (layout is not (ImageLayout.Chw or ImageLayout.Hwc))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "The layout must be Chw or Hwc.");
        }

        bool normalize = !mean.IsEmpty || !std.IsEmpty;
        if (normalize && (mean.Length != Channels || std.Length != Channels))
        {
            throw new ArgumentException($"Mean and std need {Channels} values each (R, G, B); got {mean.Length} and {std.Length}.", nameof(mean));
        }

        for (int c = 0; normalize && c < Channels; c++)
        {
            if (!float.IsFinite(mean[c]) || !float.IsFinite(std[c]) || std[c] == 0)
            {
                throw new ArgumentException($"Channel {c} has mean {mean[c]} and std {std[c]}: both must be finite and std not zero.", nameof(std));
            }
        }

        DType = dtype;
        Layout = layout;
        switch (dtype)
        {
            case DType.U8:
                if (normalize)
                {
                    throw new ArgumentException("u8 output holds the pixels themselves; normalise into f16, bf16 or f32.", nameof(mean));
                }

                _u8 = new byte[Channels * 256];
                for (int i = 0; i < _u8.Length; i++)
                {
                    _u8[i] = (byte)i;
                }

                break;
            case DType.F32:
                _f32 = new float[Channels * 256];
                for (int i = 0; i < _f32.Length; i++)
                {
                    _f32[i] = Normalize(i, mean, std);
                }

                break;
            case DType.F16:
            case DType.BF16:
                _u16 = new ushort[Channels * 256];
                for (int i = 0; i < _u16.Length; i++)
                {
                    float value = Normalize(i, mean, std);
                    _u16[i] = dtype == DType.F16 ? BitConverter.HalfToUInt16Bits((Half)value) : BFloat16Bits.FromSingle(value);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Images are written as U8, F16, BF16 or F32.");
        }
    }

    /// <summary>Gets the output element type.</summary>
    public DType DType { get; }

    /// <summary>Gets the output element order.</summary>
    public ImageLayout Layout { get; }

    /// <summary>Gets the size of one output element in bytes.</summary>
    public int ElementSize => DType switch
    {
        DType.U8 => 1,
        DType.F32 => 4,
        _ => 2,
    };

    /// <summary>Returns the number of bytes the output of a <paramref name="width"/> x <paramref name="height"/> image takes.</summary>
    public long GetByteCount(int width, int height) => (long)width * height * Channels * ElementSize;

    /// <summary>
    /// Writes the <paramref name="width"/> x <paramref name="height"/> RGB u8 image <paramref name="source"/> to the
    /// start of <paramref name="destination"/>, mirrored left to right when <paramref name="flipHorizontally"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its image.</exception>
    public void Write(ReadOnlySpan<byte> source, int width, int height, Span<byte> destination, bool flipHorizontally = false)
    {
        ImageArguments.CheckRgb(source.Length, width, height, nameof(source));
        ImageArguments.CheckDestination(destination.Length, GetByteCount(width, height), nameof(destination));
        int rowBytes = width * Channels;
        for (int y = 0; y < height; y++)
        {
            WriteRow(source.Slice(y * rowBytes, rowBytes), width, height, y, destination, flipHorizontally);
        }
    }

    /// <summary>Writes row <paramref name="y"/> (<paramref name="width"/> RGB pixels) of a <paramref name="width"/> x <paramref name="height"/> output.</summary>
    internal void WriteRow(ReadOnlySpan<byte> row, int width, int height, int y, Span<byte> destination, bool flip)
    {
        if (_u8 is not null)
        {
            if (Layout == ImageLayout.Hwc && !flip)
            {
                row[..(width * Channels)].CopyTo(destination[(y * width * Channels)..]);
                return;
            }

            WriteRow(_u8, row, width, height, y, destination, flip);
        }
        else if (_u16 is not null)
        {
            WriteRow(_u16, row, width, height, y, destination, flip);
        }
        else
        {
            WriteRow(_f32!, row, width, height, y, destination, flip);
        }
    }

    private void WriteRow<T>(T[] table, ReadOnlySpan<byte> row, int width, int height, int y, Span<byte> destination, bool flip)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        ref T lookup = ref MemoryMarshal.GetArrayDataReference(table);
        ref byte pixel = ref MemoryMarshal.GetReference(row);
        long required = Layout == ImageLayout.Hwc
            ? (long)(y + 1) * width * Channels * size
            : ((2L * height * width) + ((long)(y + 1) * width)) * size;
        ImageArguments.CheckDestination(destination.Length, required, nameof(destination));
        ImageArguments.CheckDestination(row.Length, (long)width * Channels, nameof(row));
        ref byte output = ref MemoryMarshal.GetReference(destination);

        // Element steps in bytes: to the next pixel, to the next channel, and where this row's first pixel goes.
        nint pixelStep = Layout == ImageLayout.Hwc ? Channels * size : size;
        nint channelStep = Layout == ImageLayout.Hwc ? size : (nint)height * width * size;
        nint first = Layout == ImageLayout.Hwc ? (nint)y * width * Channels * size : (nint)y * width * size;
        if (flip)
        {
            first += (width - 1) * pixelStep;
            pixelStep = -pixelStep;
        }

        ref byte red = ref Unsafe.Add(ref output, first);
        ref byte green = ref Unsafe.Add(ref red, channelStep);
        ref byte blue = ref Unsafe.Add(ref green, channelStep);
        ref T greenLookup = ref Unsafe.Add(ref lookup, 256);
        ref T blueLookup = ref Unsafe.Add(ref lookup, 512);
        for (int x = 0; x < width; x++)
        {
            Unsafe.WriteUnaligned(ref red, Unsafe.Add(ref lookup, pixel));
            Unsafe.WriteUnaligned(ref green, Unsafe.Add(ref greenLookup, Unsafe.Add(ref pixel, 1)));
            Unsafe.WriteUnaligned(ref blue, Unsafe.Add(ref blueLookup, Unsafe.Add(ref pixel, 2)));
            red = ref Unsafe.Add(ref red, pixelStep);
            green = ref Unsafe.Add(ref green, pixelStep);
            blue = ref Unsafe.Add(ref blue, pixelStep);
            pixel = ref Unsafe.Add(ref pixel, Channels);
        }
    }

    private static float Normalize(int index, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        int channel = index / 256;
        float value = (index % 256) / 255f;
        return mean.IsEmpty ? value : (value - mean[channel]) / std[channel];
    }
}
