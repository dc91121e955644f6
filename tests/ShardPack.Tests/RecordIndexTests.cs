using ShardPack.Importers.Internals;

namespace ShardPack.Tests;

[TestClass]
public sealed class RecordIndexTests
{
    [TestMethod]
    public void Indexer_AcrossSegments_ReturnsWhatWasAdded()
    {
        var index = new RecordIndex("in.csv", withLines: true, long.MaxValue);
        int count = RecordIndex.SegmentRecords + 10;
        for (int i = 0; i < count; i++)
        {
            index.Add(i * 10L, i % 7, i * 2L);
        }

        Assert.AreEqual(count, index.Count);
        Assert.AreEqual(20, index.BytesPerRecord);
        foreach (int i in new[] { 0, 1, RecordIndex.SegmentRecords - 1, RecordIndex.SegmentRecords, count - 1 })
        {
            Assert.AreEqual((i * 10L, i % 7, i * 2L), index[i], $"record {i}");
        }

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => index[count]);
    }

    [TestMethod]
    public void Add_WithoutLines_CostsTwelveBytesAndKeepsNoLine()
    {
        var index = new RecordIndex("in.tfrecord", withLines: false, 1 << 20);
        index.Add(16, 48, line: 9);

        Assert.AreEqual(12, index.BytesPerRecord);
        Assert.AreEqual((16L, 48, 0L), index[0]);
    }

    [TestMethod]
    public void Add_PastTheLimit_ThrowsNamingTheCostAndWhatToDo()
    {
        var index = new RecordIndex("in.csv", withLines: true, maxBytes: 100);
        for (int i = 0; i < 5; i++)
        {
            index.Add(i, 1, i + 2);
        }

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => index.Add(5, 1, 7));

        Assert.Contains("'in.csv', line 7", e.Message);
        Assert.Contains("more than 5 records", e.Message);
        Assert.Contains("20 bytes per record", e.Message);
        Assert.Contains("without --shuffle-seed", e.Message);
        Assert.AreEqual(5, index.Count);
    }

    [TestMethod]
    public void Add_RecordLongerThanOneRead_ThrowsNamingIt()
    {
        var index = new RecordIndex("in.tfrecord", withLines: false, long.MaxValue);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => index.Add(0, 3L << 30));

        Assert.Contains("'in.tfrecord', record 0, byte offset 0", e.Message);
    }

    [TestMethod]
    public void DefaultMaxBytes_IsHalfTheAvailableMemory()
    {
        Assert.AreEqual(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, RecordIndex.DefaultMaxBytes);
    }
}
