using ShardStore.Internals.Reading;

namespace ShardStore.Tests.Internals.Reading;

[TestClass]
public sealed class ChunkIndexFloorTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(8)]
    [DataRow(151)]
    [DataRow(1000)]
    public void Floor_EveryValueAndSubrange_MatchesALinearScan(int count)
    {
        var random = new Random(count);
        long[] starts = new long[count];
        for (int i = 1; i < count; i++)
        {
            starts[i] = starts[i - 1] + 1 + random.Next(i % 7 == 0 ? 1 : 50);
        }

        for (int trial = 0; trial < 2000; trial++)
        {
            int from = random.Next(count);
            int to = from + 1 + random.Next(count - from);
            long value = starts[from] + random.NextInt64(starts[to - 1] - starts[from] + 60);
            int expected = from;
            while (expected + 1 < to && starts[expected + 1] <= value)
            {
                expected++;
            }

            Assert.AreEqual(expected, ChunkIndex.Floor(starts, from, to, value), $"Floor([{from}, {to}), {value})");
        }
    }

    [TestMethod]
    public void Floor_ExactStartsAndLastValues_NameTheirOwnEntry()
    {
        long[] starts = [0, 5, 6, 100, 1L << 40];
        for (int i = 0; i < starts.Length; i++)
        {
            Assert.AreEqual(i, ChunkIndex.Floor(starts, 0, starts.Length, starts[i]));
            if (i + 1 < starts.Length)
            {
                Assert.AreEqual(i, ChunkIndex.Floor(starts, 0, starts.Length, starts[i + 1] - 1));
            }
        }

        Assert.AreEqual(4, ChunkIndex.Floor(starts, 0, starts.Length, long.MaxValue / 4));
    }

    [TestMethod]
    public void Floor_RangeOutsideTheArray_Throws()
    {
        long[] starts = [0, 10, 20];
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ChunkIndex.Floor(starts, 0, 4, 5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ChunkIndex.Floor(starts, 2, 1, 5));
    }
}
