using System.Diagnostics;

namespace ShardStore.Images.Operations.Internals;

/// <summary>
/// The filter taps of one axis of a resize: for each output index, the first source index, the number of taps and
/// their normalised weights, computed as PIL's <c>precompute_coeffs</c> does (triangle filter, support widened by the
/// scale factor when shrinking), except that taps are kept inside the crop, as a crop followed by a resize keeps them.
/// </summary>
internal sealed class ResizeWeights
{
    // Owned by one thread at a time (the resizer's user); recomputed only when the axis parameters change.
    private int[] _start = [];
    private int[] _count = [];
    private float[] _weights = [];
    private double[] _exact = [];
    private double _begin = double.NaN;
    private double _end;
    private int _low;
    private int _high;
    private int _outputLength = -1;
    private ResizeMode _mode;

    /// <summary>Gets the number of weight slots per output index (the largest tap count).</summary>
    public int Stride { get; private set; }

    /// <summary>Gets the first tap of each output index, relative to the low bound given to <see cref="Compute"/>.</summary>
    public ReadOnlySpan<int> Start => _start.AsSpan(0, _outputLength);

    /// <summary>Gets the number of taps of each output index.</summary>
    public ReadOnlySpan<int> Count => _count.AsSpan(0, _outputLength);

    /// <summary>Gets the weights, <see cref="Stride"/> per output index; unused slots are zero.</summary>
    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, _outputLength * Stride);

    /// <summary>
    /// Computes the taps that map source interval [<paramref name="begin"/>, <paramref name="end"/>) onto
    /// <paramref name="outputLength"/> outputs, reading source indexes in [<paramref name="low"/>, <paramref name="high"/>).
    /// </summary>
    public void Compute(double begin, double end, int low, int high, int outputLength, ResizeMode mode)
    {
        Debug.Assert(outputLength > 0 && low < high && begin >= low && end <= high && begin < end);
        if (begin == _begin && end == _end && low == _low && high == _high && outputLength == _outputLength && mode == _mode)
        {
            return;
        }

        double scale = (end - begin) / outputLength;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1
        int stride = mode == ResizeMode.Nearest ? 1 : ((int)Math.Ceiling(support) * 2) + 1;
        EnsureCapacity(outputLength, stride);
        Stride = stride;

        double inverseFilterScale = 1.0 / filterScale;
        Span<double> exact = _exact;
        for (int i = 0; i < outputLength; i++)
        {
            double center = begin + ((i + 0.5) * scale);
            Span<float> weights = _weights.AsSpan(i * stride, stride);
            weights.Clear();
            if (mode == ResizeMode.Nearest)
            {
                _start[i] = Math.Clamp((int)Math.Floor(center), low, high - 1) - low;
                _count[i] = 1;
                weights[0] = 1f;
                continue;
            }

            int first = Math.Max((int)(center - support + 0.5), low);
            int last = Math.Min((int)(center + support + 0.5), high);
            int count = Math.Min(last - first, stride);
            double sum = 0;
            for (int k = 0; k < count; k++)
            {
                double w = Triangle((k + first - center + 0.5) * inverseFilterScale);
                exact[k] = w;
                sum += w;
            }

            if (sum == 0)
            {
                // Unreachable for a triangle whose support is at least one pixel; kept so weights never divide by zero.
                exact[0] = sum = 1;
            }

            for (int k = 0; k < count; k++)
            {
                weights[k] = (float)(exact[k] / sum);
            }

            _start[i] = first - low;
            _count[i] = count;
        }

        (_begin, _end, _low, _high, _outputLength, _mode) = (begin, end, low, high, outputLength, mode);
    }

    /// <summary>Returns the value of the bilinear (triangle) filter at <paramref name="x"/>.</summary>
    public static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private void EnsureCapacity(int outputLength, int stride)
    {
        if (_start.Length < outputLength)
        {
            _start = new int[outputLength];
            _count = new int[outputLength];
        }

        if (_exact.Length < stride)
        {
            _exact = new double[stride];
        }

        if (_weights.Length < outputLength * stride)
        {
            _weights = new float[outputLength * stride];
        }
    }
}
