using System.Collections;
using ShardStore.Internals.Ordering;

namespace ShardStore.Tests.Internals.Ordering;

[TestClass]
public sealed class IndexPermutationTests
{
    [TestMethod]
    [DataRow(0UL)]
    [DataRow(1UL)]
    [DataRow(0xDEADBEEFCAFEF00DUL)]
    public void Apply_EverySizeUpTo300_IsABijection(ulong key)
    {
        for (int n = 1; n <= 300; n++)
        {
            AssertBijection(new IndexPermutation(n, key + (ulong)n), n);
        }
    }

    [TestMethod]
    [DataRow(1L << 16)]
    [DataRow((1L << 16) + 1)]
    [DataRow((1L << 20) - 1)]
    [DataRow(1_000_003L)]
    public void Apply_LargeSizes_IsABijection(long n)
    {
        AssertBijection(new IndexPermutation(n, 42), n);
    }

    [TestMethod]
    public void Apply_HugeSize_StaysInRangeWithoutRepeats()
    {
        const long N = (1L << 40) + 12345;
        var p = new IndexPermutation(N, 7);
        var seen = new HashSet<long>();
        for (long i = 0; i < 20_000; i++)
        {
            long v = p.Apply(N - 1 - (i * 54_975_581L));
            Assert.IsTrue(v is >= 0 and < N, $"image {v} out of range");
            Assert.IsTrue(seen.Add(v), $"image {v} repeated");
        }
    }

    [TestMethod]
    public void Apply_DifferentKeys_GiveDifferentPermutations()
    {
        const int N = 1000;
        var permutations = Enumerable.Range(0, 16).Select(k => Enumerable.Range(0, N).Select(i => new IndexPermutation(N, (ulong)k).Apply(i)).ToArray()).ToList();
        for (int a = 0; a < permutations.Count; a++)
        {
            for (int b = a + 1; b < permutations.Count; b++)
            {
                int moved = permutations[a].Zip(permutations[b]).Count(p => p.First != p.Second);
                Assert.IsGreaterThan(N * 9 / 10, moved, $"keys {a} and {b}: positions that differ");
            }
        }
    }

    [TestMethod]
    public void Apply_SameKey_IsAPureFunction()
    {
        var a = new IndexPermutation(777, 123);
        var b = new IndexPermutation(777, 123);

        Assert.AreEqual(777L, a.Count);
        for (int i = 0; i < 777; i++)
        {
            Assert.AreEqual(a.Apply(i), b.Apply(i));
        }
    }

    [TestMethod]
    public void Apply_ManyKeys_LeavesFewFixedPoints()
    {
        const int N = 4096;
        long fixedPoints = 0;
        for (ulong key = 0; key < 16; key++)
        {
            var p = new IndexPermutation(N, key);
            fixedPoints += Enumerable.Range(0, N).Count(i => p.Apply(i) == i);
        }

        // A random permutation has one fixed point on average.
        Assert.IsLessThan(16L * 8, fixedPoints);
    }

    private static void AssertBijection(IndexPermutation p, long n)
    {
        var seen = new BitArray(checked((int)n));
        for (long i = 0; i < n; i++)
        {
            long v = p.Apply(i);
            if (v < 0 || v >= n || seen[(int)v])
            {
                Assert.Fail($"n = {n}: index {i} maps to {v}, out of range or already taken.");
            }

            seen[(int)v] = true;
        }
    }
}
