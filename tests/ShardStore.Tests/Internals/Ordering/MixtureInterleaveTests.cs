using ShardStore.Internals.Ordering;

namespace ShardStore.Tests.Internals.Ordering;

[TestClass]
public sealed class MixtureInterleaveTests
{
    public static IEnumerable<object[]> CountCases =>
    [
        [new long[] { 5 }],
        [new long[] { 3, 7 }],
        [new long[] { 10, 0, 4 }],
        [new long[] { 1, 1, 1, 1, 97 }],
        [new long[] { 13, 8, 21, 2, 0, 5, 34 }],
    ];

    [TestMethod]
    [DynamicData(nameof(CountCases))]
    public void Locate_EveryUnit_EachStreamGetsItsCountInItsOwnOrder(long[] counts)
    {
        var layout = new MixtureInterleave(counts);
        long total = counts.Sum();
        long[] next = new long[counts.Length];
        for (long p = 0; p < total; p++)
        {
            (int s, long j) = layout.Locate(p);
            Assert.AreEqual(next[s]++, j, $"position {p}: stream {s}'s units come in order");
            Assert.AreEqual(p, layout.UnitOf(s, j), $"position {p}: UnitOf inverts Locate");
        }

        CollectionAssert.AreEqual(counts, next, "each stream's count");
    }

    [TestMethod]
    [DynamicData(nameof(CountCases))]
    public void Locate_EveryPrefix_StaysCloseToTheStreamsShares(long[] counts)
    {
        var layout = new MixtureInterleave(counts);
        long total = counts.Sum();
        long[] seen = new long[counts.Length];
        int depth = (int)Math.Ceiling(Math.Log2(counts.Length)) + 1;
        for (long p = 0; p < total; p++)
        {
            seen[layout.Locate(p).Stream]++;
            for (int s = 0; s < counts.Length; s++)
            {
                double share = (double)(p + 1) * counts[s] / total;
                Assert.IsLessThanOrEqualTo(depth, Math.Abs(seen[s] - share), $"stream {s} after {p + 1} positions: {seen[s]} vs {share:F2}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(CountCases))]
    public void Label_AnyRun_AgreesWithLocate(long[] counts)
    {
        var layout = new MixtureInterleave(counts);
        long total = counts.Sum();
        var random = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            long first = random.NextInt64(total);
            int[] labels = new int[(int)Math.Min(total - first, random.Next(1, 70))];
            long[] firstIndex = new long[counts.Length];
            layout.Label(first, labels, firstIndex);
            long[] next = (long[])firstIndex.Clone();
            for (int k = 0; k < labels.Length; k++)
            {
                (int s, long j) = layout.Locate(first + k);
                Assert.AreEqual(s, labels[k], $"unit {first + k}: stream");
                Assert.AreEqual(j, next[s]++, $"unit {first + k}: place in its stream");
            }
        }
    }

    [TestMethod]
    public void Locate_HugeCounts_InvertsWithoutOverflow()
    {
        long[] counts = [1L << 40, 3L << 38, 5];
        var layout = new MixtureInterleave(counts);
        long total = counts.Sum();
        foreach (long p in new[] { 0L, 1, total / 3, total / 2, total - 2, total - 1 })
        {
            (int s, long j) = layout.Locate(p);
            Assert.AreEqual(p, layout.UnitOf(s, j), $"position {p}");
        }
    }
}
