using ShardPack.Commands;

namespace ShardPack.Tests;

[TestClass]
public sealed class HumanUnitsTests
{
    [TestMethod]
    [DataRow(0L, "0 shards")]
    [DataRow(1L, "1 shard")]
    [DataRow(2L, "2 shards")]
    [DataRow(12345L, "12,345 shards")]
    public void Count_Noun_PluralUnlessOne(long count, string expected) => Assert.AreEqual(expected, HumanUnits.Count(count, "shard"));

    [TestMethod]
    [DataRow(1L, "1 byte")]
    [DataRow(1023L, "1,023 bytes")]
    [DataRow(4240L, "4.14 KiB (4,240 bytes)")]
    [DataRow(13_832_421_376L, "12.9 GiB (13,832,421,376 bytes)")]
    [DataRow(1L << 40, "1.00 TiB (1,099,511,627,776 bytes)")]
    [DataRow(200L << 20, "200 MiB (209,715,200 bytes)")]
    public void Bytes_Size_BinaryUnitsWithTheExactCount(long bytes, string expected) => Assert.AreEqual(expected, HumanUnits.Bytes(bytes));
}
