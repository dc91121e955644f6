using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms;

[TestClass]
public sealed class TransformRandomTests
{
    [TestMethod]
    public void NextUInt64_SameKey_SameSequence()
    {
        var a = new TransformRandom(7, 2, 1_000_000_007L, 1);
        var b = new TransformRandom(7, 2, 1_000_000_007L, 1);

        for (int i = 0; i < 100; i++)
        {
            Assert.AreEqual(a.NextUInt64(), b.NextUInt64(), $"draw {i}");
        }
    }

    [TestMethod]
    public void NextUInt64_AnyPartOfTheKeyChanged_OtherSequence()
    {
        ulong first = new TransformRandom(7, 2, 5, 1).NextUInt64();

        Assert.AreNotEqual(first, new TransformRandom(8, 2, 5, 1).NextUInt64(), "seed");
        Assert.AreNotEqual(first, new TransformRandom(7, 3, 5, 1).NextUInt64(), "epoch");
        Assert.AreNotEqual(first, new TransformRandom(7, 2, 6, 1).NextUInt64(), "sample");
        Assert.AreNotEqual(first, new TransformRandom(7, 2, 5, 2).NextUInt64(), "position");
    }

    [TestMethod]
    public void NextDouble_ManyDraws_InRangeAndEvenlySpread()
    {
        int[] buckets = new int[10];
        for (long sample = 0; sample < 20_000; sample++)
        {
            var random = new TransformRandom(1, 0, sample, 0);
            double d = random.NextDouble();
            Assert.IsTrue(d is >= 0 and < 1, $"{d}");
            buckets[(int)(d * 10)]++;
        }

        // 2,000 expected per bucket; 5 standard deviations is about 212.
        foreach (int count in buckets)
        {
            Assert.IsTrue(Math.Abs(count - 2000) < 250, $"bucket counts {string.Join(", ", buckets)}");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(1000)]
    [DataRow(int.MaxValue)]
    public void NextInt32_AnyBound_BelowIt(int bound)
    {
        var random = new TransformRandom(3, 1, 9, 0);
        for (int i = 0; i < 1000; i++)
        {
            int value = random.NextInt32(bound);
            Assert.IsTrue(value >= 0 && value < bound, $"{value} of {bound}");
        }
    }

    [TestMethod]
    public void NextInt32_NotPositive_Throws()
    {
        var random = new TransformRandom(3, 1, 9, 0);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => random.NextInt32(0));
    }

    [TestMethod]
    public void NextDouble_MinMax_InThatRange()
    {
        var random = new TransformRandom(3, 1, 9, 0);
        for (int i = 0; i < 1000; i++)
        {
            double d = random.NextDouble(0.08, 1.0);
            Assert.IsTrue(d is >= 0.08 and < 1.0, $"{d}");
        }
    }
}
