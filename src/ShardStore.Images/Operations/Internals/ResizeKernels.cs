using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ShardStore.Images.Operations.Internals;

/// <summary>
/// The inner loops of the separable resize over interleaved RGB u8: a vertical pass from source rows to one row of
/// floats, then a horizontal pass from that row to output pixels, rounded half up and clamped to u8.
/// </summary>
internal static unsafe class ResizeKernels
{
    /// <summary>
    /// Writes <c>output[i] = sum_k weights[k] * source[k * stride + i]</c> for i in [0, <paramref name="length"/>).
    /// </summary>
    public static void Vertical(byte* source, nint stride, float* weights, int taps, float* output, int length)
    {
        int i = 0;
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            for (; i + 32 <= length; i += 32)
            {
                Vector256<float> a0 = Vector256<float>.Zero;
                Vector256<float> a1 = Vector256<float>.Zero;
                Vector256<float> a2 = Vector256<float>.Zero;
                Vector256<float> a3 = Vector256<float>.Zero;
                byte* row = source + i;
                for (int k = 0; k < taps; k++, row += stride)
                {
                    Vector256<float> w = Vector256.Create(weights[k]);
                    a0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row)), w, a0);
                    a1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + 8)), w, a1);
                    a2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + 16)), w, a2);
                    a3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + 24)), w, a3);
                }

                Avx.Store(output + i, a0);
                Avx.Store(output + i + 8, a1);
                Avx.Store(output + i + 16, a2);
                Avx.Store(output + i + 24, a3);
            }

            for (; i + 8 <= length; i += 8)
            {
                Vector256<float> a = Vector256<float>.Zero;
                byte* row = source + i;
                for (int k = 0; k < taps; k++, row += stride)
                {
                    a = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row)), Vector256.Create(weights[k]), a);
                }

                Avx.Store(output + i, a);
            }
        }

        for (; i < length; i++)
        {
            float a = 0;
            byte* row = source + i;
            for (int k = 0; k < taps; k++, row += stride)
            {
                a += weights[k] * *row;
            }

            output[i] = a;
        }
    }

    /// <summary>
    /// Writes <paramref name="width"/> RGB pixels to <paramref name="output"/>, each the weighted sum of the pixels of
    /// <paramref name="input"/> its taps name, rounded half up and clamped to [0, 255]; mirrored when
    /// <paramref name="flip"/>.
    /// </summary>
    /// <remarks>
    /// Reads one float past the last input pixel it uses and writes one byte past the last output pixel: both buffers
    /// carry one element of padding.
    /// </remarks>
    public static void Horizontal(float* input, int* start, int* count, float* weights, int weightStride, byte* output, int width, bool flip)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> gather = Vector128.Create((byte)0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            Vector128<float> max = Vector128.Create(255.5f);
            Vector128<float> half = Vector128.Create(0.5f);

            // Output positions ascend so that each 4-byte store's spare byte is overwritten by the next pixel.
            for (int target = 0; target < width; target++)
            {
                int x = flip ? width - 1 - target : target;
                float* pixel = input + (start[x] * 3);
                float* w = weights + (x * weightStride);
                int taps = count[x];
                Vector128<float> a = Vector128<float>.Zero;
                for (int k = 0; k < taps; k++, pixel += 3)
                {
                    a += Vector128.Create(w[k]) * Vector128.Load(pixel);
                }

                // Round half up, as PIL does: truncating x + 0.5 floors it, as x + 0.5 is clamped to [0.5, 255.5].
                a = Vector128.MinNative(Vector128.MaxNative(a + half, half), max);
                Vector128<int> rounded = Vector128.ConvertToInt32Native(a);
                uint rgb = Vector128.ShuffleNative(rounded.AsByte(), gather).AsUInt32().ToScalar();
                Unsafe.WriteUnaligned(output + (target * 3), rgb);
            }

            return;
        }

        for (int x = 0; x < width; x++)
        {
            float* pixel = input + (start[x] * 3);
            float* w = weights + (x * weightStride);
            float r = 0, g = 0, b = 0;
            for (int k = 0; k < count[x]; k++, pixel += 3)
            {
                r += w[k] * pixel[0];
                g += w[k] * pixel[1];
                b += w[k] * pixel[2];
            }

            byte* target = output + ((flip ? width - 1 - x : x) * 3);
            target[0] = ToByte(r);
            target[1] = ToByte(g);
            target[2] = ToByte(b);
        }
    }

    /// <summary>Copies the source pixel each output pixel's single tap names (nearest neighbour).</summary>
    public static void Nearest(byte* sourceRow, int* start, byte* output, int width, bool flip)
    {
        for (int x = 0; x < width; x++)
        {
            byte* pixel = sourceRow + (start[x] * 3);
            byte* target = output + ((flip ? width - 1 - x : x) * 3);
            target[0] = pixel[0];
            target[1] = pixel[1];
            target[2] = pixel[2];
        }
    }

    /// <summary>Copies <paramref name="width"/> RGB pixels, mirrored when <paramref name="flip"/>.</summary>
    public static void Copy(byte* input, byte* output, int width, bool flip)
    {
        if (!flip)
        {
            Buffer.MemoryCopy(input, output, width * 3L, width * 3L);
            return;
        }

        byte* target = output + ((width - 1) * 3);
        for (int x = 0; x < width; x++, input += 3, target -= 3)
        {
            target[0] = input[0];
            target[1] = input[1];
            target[2] = input[2];
        }
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(value + 0.5f, 0.5f, 255.5f);
}
