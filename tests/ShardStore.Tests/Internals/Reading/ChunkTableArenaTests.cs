using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Reading;

namespace ShardStore.Tests.Internals.Reading;

[TestClass]
public sealed class ChunkTableArenaTests
{
    [TestMethod]
    public void Take_RunsOfTheDeclaredChunks_AreDisjointWithClearFlags()
    {
        var arena = new ChunkTableArena(100);
        ChunkTableRun[] runs = [arena.Take(30), arena.Take(30), arena.Take(40), arena.Take(7)];
        for (int r = 0; r < runs.Length; r++)
        {
            Fill(runs[r], r);
        }

        for (int r = 0; r < runs.Length; r++)
        {
            AssertFilled(runs[r], r);
            for (int c = 0; c < runs[r].Count; c++)
            {
                Assert.AreEqual(0, runs[r].Flag(c), $"run {r} chunk {c} starts unverified");
            }
        }

        runs[1].Flag(0) = 1;
        Assert.AreEqual(0, runs[0].Flag(29), "a flag of one run is not another's");
        Assert.AreEqual(0, runs[2].Flag(0), "a flag of one run is not another's");
    }

    [TestMethod]
    public void Take_ChunkOutsideTheRun_Throws()
    {
        ChunkTableRun run = new ChunkTableArena(10).Take(4);

        Assert.ThrowsExactly<IndexOutOfRangeException>(() => run.Flag(4));
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => run.Flag(-1));
        Assert.AreEqual(4, run.Entries.Length);
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(long.MaxValue)]
    public void Take_ManifestCountWrong_StillHandsOutWholeRuns(long declared)
    {
        var arena = new ChunkTableArena(declared);
        ChunkTableRun small = arena.Take(3);
        ChunkTableRun large = arena.Take(5000);
        Fill(small, 1);
        Fill(large, 2);

        AssertFilled(small, 1);
        AssertFilled(large, 2);
    }

    [TestMethod]
    public void Take_LargerThanOneArray_GetsARunOfItsOwn()
    {
        var arena = new ChunkTableArena(ChunkTableArena.MaxArrayEntries * 2L);
        ChunkTableRun before = arena.Take(10);
        ChunkTableRun large = arena.Take(ChunkTableArena.MaxArrayEntries + 1);
        ChunkTableRun after = arena.Take(10);
        Fill(before, 1);
        Fill(large, 2);
        Fill(after, 3);

        Assert.AreEqual(ChunkTableArena.MaxArrayEntries + 1, large.Count);
        AssertFilled(before, 1);
        AssertFilled(large, 2);
        AssertFilled(after, 3);
    }

    [TestMethod]
    public void Take_FromManyThreads_RunsNeverOverlap()
    {
        var arena = new ChunkTableArena(64 * 257);
        var runs = new ChunkTableRun[64];
        Parallel.For(0, runs.Length, r =>
        {
            runs[r] = arena.Take(1 + (r * 7 % 257));
            Fill(runs[r], r);
        });

        for (int r = 0; r < runs.Length; r++)
        {
            AssertFilled(runs[r], r);
        }
    }

    private static ChunkEntry Entry(int run, int chunk) => new(4096L * (chunk + 1), run, chunk, chunk, 1, CodecKind.None, (uint)run);

    private static void Fill(ChunkTableRun run, int r)
    {
        for (int c = 0; c < run.Count; c++)
        {
            run.Entries[c] = Entry(r, c);
        }
    }

    private static void AssertFilled(ChunkTableRun run, int r)
    {
        for (int c = 0; c < run.Count; c++)
        {
            Assert.AreEqual(Entry(r, c), run.Entries[c], $"run {r} chunk {c}");
        }
    }
}
