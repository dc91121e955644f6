using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary><see cref="ShardDataset.Verify"/>: every chunk checked within the decode budget, every bad chunk reported.</summary>
[TestClass]
public sealed class ShardDatasetVerifyTests
{
    private const int Samples = 200_000;

    [TestMethod]
    public void Verify_WorkersTimesChunkOverDecodeBudget_VerifiesClean()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, Samples, TestData.Options(CodecKind.Zstd, chunkBytes: 1 << 20, shardBytes: 4L << 20));

        // Room for one decoded chunk: more than one decode at a time would exhaust the budget.
        long budget = ChunkBufferPool.RoundUp(LargestRawChunk(path));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(budget: budget));
        Assert.IsGreaterThan(8, ds.ChunkCount);

        IReadOnlyList<InvalidDataException> problems = ds.Verify();

        Assert.IsEmpty(problems, string.Join("\n", problems.Select(p => p.Message)));
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Zstd)]
    public void Verify_TwoCorruptChunks_ReportsBothInOrder(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(codec, chunkBytes: 4096, shardBytes: 32 << 10));
        (int shardA, int chunkA, ChunkEntry a) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 0 && c == 1);
        (int shardB, int chunkB, ChunkEntry b) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c == 2);
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, shardB), b.Offset + (b.StoredSize / 2), 1);
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, shardA), a.Offset + (a.StoredSize / 2), 5);
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());

        IReadOnlyList<InvalidDataException> problems = ds.Verify();

        Assert.HasCount(2, problems);
        ShardCorruptor.AssertLocated(problems[0], FormatConstants.ShardFileName(shardA), shardA, chunkA);
        ShardCorruptor.AssertLocated(problems[1], FormatConstants.ShardFileName(shardB), shardB, chunkB);
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    [DataRow("header")]
    [DataRow("between chunks")]
    [DataRow("before the table")]
    public void Verify_PaddingByteFlipped_ReportsTheShardAndOffset(string where)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4, chunkBytes: 4096, shardBytes: 32 << 10));
        // The table is 64-byte aligned after the last chunk, so not every shard has padding before it: take one that has.
        int index = where == "before the table"
            ? Enumerable.Range(0, 8).First(s => ShardCorruptor.ReadTable(path, s) is var t && t.Footer.TableOffset > t.Entries[^1].End)
            : 1;
        ShardCorruptor.ShardTable table = ShardCorruptor.ReadTable(path, index);
        string shard = ShardCorruptor.ShardPath(path, index);
        long offset = where switch
        {
            "header" => FormatConstants.HeaderReadSize + 100,
            "between chunks" => table.Entries[0].End + 1,
            _ => table.Footer.TableOffset - 1,
        };
        Assert.AreEqual(0, ShardCorruptor.ReadBytes(shard, offset, 1)[0], $"the byte {where} is padding");
        ShardCorruptor.FlipBit(shard, offset, 3);
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());

        IReadOnlyList<InvalidDataException> problems = ds.Verify();

        Assert.HasCount(1, problems, string.Join("; ", problems.Select(p => p.Message)));
        StringAssert.Contains(problems[0].Message, FormatConstants.ShardFileName(index));
        StringAssert.Contains(problems[0].Message, $"padding byte {offset} is 0x08, not zero");
    }

    [TestMethod]
    public void Verify_Cancelled_ThrowsOperationCanceled()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4, chunkBytes: 4096, shardBytes: 32 << 10));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => ds.Verify(cancelled.Token));
    }

    private static long LargestRawChunk(string path)
    {
        long largest = 0;
        for (int s = 0; File.Exists(ShardCorruptor.ShardPath(path, s)); s++)
        {
            largest = Math.Max(largest, ShardCorruptor.ReadTable(path, s).Entries.Max(e => e.RawSize));
        }

        return largest;
    }
}
