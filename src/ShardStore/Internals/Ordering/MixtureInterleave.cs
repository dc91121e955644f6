namespace ShardStore.Internals.Ordering;

/// <summary>
/// Lays out the units of several streams (samples, or whole batches) over one epoch, evenly and without a table.
/// </summary>
/// <remarks>
/// The interleave is a balanced binary tree over the streams: a node over streams [lo, hi) splits at
/// mid = lo + (hi - lo) / 2 and lays its n = a + b units out so that exactly floor((i x a + floor(n / 2)) / n) of its
/// first i units go left (a units in all); position i goes left when that count grows at i + 1. Units are samples, or
/// whole batches with MixtureGranularity.Batch. A stream's units thus keep their own order, spread evenly
/// over the epoch, and any position's stream and place in it is found in O(log streams) steps, without a table.
/// </remarks>
internal sealed class MixtureInterleave
{
    private readonly long[] _starts;

    // The internal nodes, depth first from the root: units n and left units a, and the children (node, or ~stream).
    private readonly ulong[] _nodeN;
    private readonly ulong[] _nodeA;
    private readonly int[] _nodeLeft;
    private readonly int[] _nodeRight;

    /// <summary>Creates the interleave of streams with <paramref name="units"/> units each per epoch.</summary>
    public MixtureInterleave(long[] units)
    {
        _starts = new long[units.Length + 1];
        for (int s = 0; s < units.Length; s++)
        {
            _starts[s + 1] = checked(_starts[s] + units[s]);
        }

        var nodes = new List<(ulong N, ulong A, int Left, int Right)>();
        if (units.Length > 1)
        {
            Build(0, units.Length, nodes);
        }

        _nodeN = [.. nodes.Select(x => x.N)];
        _nodeA = [.. nodes.Select(x => x.A)];
        _nodeLeft = [.. nodes.Select(x => x.Left)];
        _nodeRight = [.. nodes.Select(x => x.Right)];
    }

    public int StreamCount => _starts.Length - 1;

    /// <summary>Gets the units of every stream together.</summary>
    public long TotalUnits => _starts[^1];

    /// <summary>Returns the stream of epoch unit <paramref name="unit"/> and the unit's place among that stream's units.</summary>
    public (int Stream, long Index) Locate(long unit)
    {
        int lo = 0;
        int hi = StreamCount;
        ulong i = (ulong)unit;
        while (hi - lo > 1)
        {
            int mid = lo + ((hi - lo) / 2);
            ulong n = (ulong)(_starts[hi] - _starts[lo]);
            ulong a = (ulong)(_starts[mid] - _starts[lo]);
            ulong left = LeftBefore(i, a, n);
            if (LeftBefore(i + 1, a, n) > left)
            {
                i = left;
                hi = mid;
            }
            else
            {
                i -= left;
                lo = mid;
            }
        }

        return (lo, (long)i);
    }

    /// <summary>
    /// Writes the stream of each of the units [<paramref name="first"/>, first + labels.Length), and the place of each
    /// stream's first unit from <paramref name="first"/> on (its units before it), without a division per unit: every
    /// tree node steps its own count, L(i + 1) - L(i) being 1 exactly when (i x a + h) mod n + a reaches n.
    /// </summary>
    public void Label(long first, Span<int> labels, Span<long> firstIndex)
    {
        int nodes = _nodeN.Length;
        if (nodes == 0)
        {
            labels.Clear();
            firstIndex[0] = first;
            return;
        }

        Span<ulong> rem = nodes <= 128 ? stackalloc ulong[nodes] : new ulong[nodes];
        Start(0, (ulong)first, rem, firstIndex);
        for (int k = 0; k < labels.Length; k++)
        {
            int node = 0;
            while (true)
            {
                ulong r = rem[node] + _nodeA[node];
                int child;
                if (r >= _nodeN[node])
                {
                    rem[node] = r - _nodeN[node];
                    child = _nodeLeft[node];
                }
                else
                {
                    rem[node] = r;
                    child = _nodeRight[node];
                }

                if (child < 0)
                {
                    labels[k] = ~child;
                    break;
                }

                node = child;
            }
        }
    }

    // Sets each node's remainder at its own unit count before the first unit, and each stream's count.
    private void Start(int node, ulong index, Span<ulong> rem, Span<long> firstIndex)
    {
        ulong n = _nodeN[node];
        ulong left = 0;
        if (n != 0)
        {
            UInt128 t = ((UInt128)index * _nodeA[node]) + (n / 2);
            left = (ulong)(t / n);
            rem[node] = (ulong)(t % n);
        }

        Child(_nodeLeft[node], left, rem, firstIndex);
        Child(_nodeRight[node], index - left, rem, firstIndex);
    }

    private void Child(int child, ulong index, Span<ulong> rem, Span<long> firstIndex)
    {
        if (child < 0)
        {
            firstIndex[~child] = (long)index;
        }
        else
        {
            Start(child, index, rem, firstIndex);
        }
    }

    // Numbers the internal nodes of [lo, hi) depth first; a child is a node number, or ~stream for a leaf.
    private int Build(int lo, int hi, List<(ulong N, ulong A, int Left, int Right)> nodes)
    {
        if (hi - lo == 1)
        {
            return ~lo;
        }

        int id = nodes.Count;
        nodes.Add(default);
        int mid = lo + ((hi - lo) / 2);
        int left = Build(lo, mid, nodes);
        int right = Build(mid, hi, nodes);
        nodes[id] = ((ulong)(_starts[hi] - _starts[lo]), (ulong)(_starts[mid] - _starts[lo]), left, right);
        return id;
    }

    /// <summary>Returns the epoch unit that holds stream <paramref name="stream"/>'s unit <paramref name="index"/> (the inverse of <see cref="Locate"/>).</summary>
    public long UnitOf(int stream, long index) => (long)Up(0, StreamCount, stream, (ulong)index);

    // floor((i x a + floor(n / 2)) / n): the units among a node's first i that go to its left child.
    private static ulong LeftBefore(ulong i, ulong a, ulong n) =>
        n == 0 ? 0
        : n <= uint.MaxValue ? ((i * a) + (n / 2)) / n
        : (ulong)((((UInt128)i * a) + (n / 2)) / n);

    private ulong Up(int lo, int hi, int stream, ulong index)
    {
        if (hi - lo == 1)
        {
            return index;
        }

        int mid = lo + ((hi - lo) / 2);
        UInt128 n = (ulong)(_starts[hi] - _starts[lo]);
        UInt128 a = (ulong)(_starts[mid] - _starts[lo]);
        UInt128 h = n / 2;
        if (stream < mid)
        {
            // The c-th left unit sits at the least i with floor(((i + 1) a + h) / n) >= c + 1.
            UInt128 c = Up(lo, mid, stream, index);
            UInt128 need = ((c + 1) * n) - h;
            return (ulong)(((need + a - 1) / a) - 1);
        }

        // The c-th right unit: i - floor((i a + h) / n) = ceil((i b - h) / n) counts right units, so i = floor((c n + h) / b).
        UInt128 right = Up(mid, hi, stream, index);
        return (ulong)(((right * n) + h) / (n - a));
    }
}
