using System.Numerics;
using ShardStore.Internals.Integrity;

namespace ShardStore.Tests.Internals.Integrity;

[TestClass]
public sealed class Crc32CTests
{
    [TestMethod]
    public void Compute_CheckString_ReturnsStandardCheckValue()
    {
        // The catalogued check value of CRC-32C (iSCSI) for the ASCII digits 1..9.
        Assert.AreEqual(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [TestMethod]
    public void Compute_Empty_ReturnsZero() => Assert.AreEqual(0u, Crc32C.Compute([]));

    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(4095)]
    [DataRow(12288)]
    [DataRow(12289)]
    [DataRow(3 * 12288 + 13)]
    [DataRow(1 << 20)]
    public void Compute_AnyLength_MatchesBytewiseReference(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        uint reference = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            reference = BitOperations.Crc32C(reference, b);
        }

        Assert.AreEqual(~reference, Crc32C.Compute(data));
    }

    [TestMethod]
    public void Append_SplitInput_EqualsWholeInput()
    {
        byte[] data = new byte[50_000];
        new Random(5).NextBytes(data);
        uint split = ~Crc32C.Append(Crc32C.Append(0xFFFFFFFFu, data.AsSpan(0, 20_001)), data.AsSpan(20_001));
        Assert.AreEqual(Crc32C.Compute(data), split);
    }
}
