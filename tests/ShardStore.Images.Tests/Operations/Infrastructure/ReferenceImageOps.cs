using ShardStore.Images.Operations;

namespace ShardStore.Images.Tests.Operations.Infrastructure;

/// <summary>Straightforward implementations of the image operations, written for clarity, to check the fast ones against.</summary>
internal static class ReferenceImageOps
{
    /// <summary>Copies rectangle <paramref name="crop"/> of an RGB image.</summary>
    public static byte[] Crop(byte[] source, int width, CropRect crop)
    {
        byte[] output = new byte[crop.Width * crop.Height * 3];
        for (int y = 0; y < crop.Height; y++)
        {
            for (int x = 0; x < crop.Width; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    output[(((y * crop.Width) + x) * 3) + c] = source[((((crop.Y + y) * width) + crop.X + x) * 3) + c];
                }
            }
        }

        return output;
    }

    /// <summary>Mirrors an RGB image left to right.</summary>
    public static byte[] Flip(byte[] source, int width, int height)
    {
        byte[] output = new byte[source.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    output[(((y * width) + x) * 3) + c] = source[(((y * width) + (width - 1 - x)) * 3) + c];
                }
            }
        }

        return output;
    }

    /// <summary>
    /// Resizes a crop with the antialiased triangle filter, summing in doubles over every source pixel of the crop
    /// in two dimensions at once; rounds half up.
    /// </summary>
    public static byte[] ResizeBilinear(byte[] source, int width, CropRect crop, int outputWidth, int outputHeight)
    {
        double[][] columns = AxisWeights(crop.Width, outputWidth);
        double[][] rows = AxisWeights(crop.Height, outputHeight);
        byte[] output = new byte[outputWidth * outputHeight * 3];
        for (int oy = 0; oy < outputHeight; oy++)
        {
            for (int ox = 0; ox < outputWidth; ox++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (int y = 0; y < crop.Height; y++)
                    {
                        if (rows[oy][y] == 0)
                        {
                            continue;
                        }

                        for (int x = 0; x < crop.Width; x++)
                        {
                            sum += rows[oy][y] * columns[ox][x] * source[((((crop.Y + y) * width) + crop.X + x) * 3) + c];
                        }
                    }

                    output[(((oy * outputWidth) + ox) * 3) + c] = (byte)Math.Clamp((int)Math.Floor(sum + 0.5), 0, 255);
                }
            }
        }

        return output;
    }

    /// <summary>Resizes a crop taking the source pixel under each output pixel's centre.</summary>
    public static byte[] ResizeNearest(byte[] source, int width, CropRect crop, int outputWidth, int outputHeight)
    {
        byte[] output = new byte[outputWidth * outputHeight * 3];
        for (int oy = 0; oy < outputHeight; oy++)
        {
            int y = Math.Min((int)Math.Floor((oy + 0.5) * crop.Height / outputHeight), crop.Height - 1);
            for (int ox = 0; ox < outputWidth; ox++)
            {
                int x = Math.Min((int)Math.Floor((ox + 0.5) * crop.Width / outputWidth), crop.Width - 1);
                for (int c = 0; c < 3; c++)
                {
                    output[(((oy * outputWidth) + ox) * 3) + c] = source[((((crop.Y + y) * width) + crop.X + x) * 3) + c];
                }
            }
        }

        return output;
    }

    /// <summary>
    /// Returns the output of an <see cref="ImageOutputWriter"/>: each value of channel c is <c>x / 255f</c>, then
    /// <c>(v - mean[c]) / std[c]</c> in floats when normalising, stored as <typeparamref name="T"/> at its CHW or HWC place.
    /// </summary>
    public static byte[] Write<T>(byte[] image, int width, int height, ImageLayout layout, float[]? mean, float[]? std, Func<float, T> convert, Func<byte, T> raw, bool isFloat)
        where T : unmanaged
    {
        T[] output = new T[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    byte pixel = image[(((y * width) + x) * 3) + c];
                    T value;
                    if (!isFloat)
                    {
                        value = raw(pixel);
                    }
                    else
                    {
                        float v = pixel / 255f;
                        if (mean is not null)
                        {
                            v = (v - mean[c]) / std![c];
                        }

                        value = convert(v);
                    }

                    int index = layout == ImageLayout.Chw ? (((c * height) + y) * width) + x : (((y * width) + x) * 3) + c;
                    output[index] = value;
                }
            }
        }

        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.AsSpan()).ToArray();
    }

    /// <summary>Returns the bfloat16 of <paramref name="value"/> by rounding its f32 bits to nearest, ties to even, in 64-bit arithmetic.</summary>
    public static ushort BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        ulong upper = bits >> 16;
        ulong lower = bits & 0xFFFF;
        if (lower > 0x8000 || (lower == 0x8000 && (upper & 1) == 1))
        {
            upper++;
        }

        return (ushort)upper;
    }

    // Weights of every source index for each output index: triangle of support max(scale, 1), normalised.
    private static double[][] AxisWeights(int inputLength, int outputLength)
    {
        double scale = (double)inputLength / outputLength;
        double support = Math.Max(scale, 1);
        var weights = new double[outputLength][];
        for (int o = 0; o < outputLength; o++)
        {
            double center = (o + 0.5) * scale;
            weights[o] = new double[inputLength];
            double sum = 0;
            for (int i = 0; i < inputLength; i++)
            {
                double distance = Math.Abs(i + 0.5 - center) / support;
                weights[o][i] = distance < 1 ? 1 - distance : 0;
                sum += weights[o][i];
            }

            for (int i = 0; i < inputLength; i++)
            {
                weights[o][i] /= sum;
            }
        }

        return weights;
    }
}
