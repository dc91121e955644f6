using System.Text;

namespace ShardStore.Tests.Loading;

[TestClass]
public sealed class LoaderStateTests
{
    private static readonly LoaderState s_state = new()
    {
        DatasetFingerprint = "0123456789abcdef0123456789abcdef",
        Seed = ulong.MaxValue,
        Order = SampleOrder.Window,
        BatchSize = 4096,
        WindowChunks = 64,
        LogicalPartitions = 1024,
        DropLast = true,
        Epoch = 123_456,
        Position = 9_000_000_000_000L,
        WorldSize = 4096,
    };

    [TestMethod]
    public void FromBytes_BytesFromToBytes_ReturnsAnEqualState()
    {
        byte[] bytes = s_state.ToBytes();

        Assert.IsLessThan(1024, bytes.Length);
        Assert.AreEqual(s_state, LoaderState.FromBytes(bytes));
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not json")]
    [DataRow("{}")]
    [DataRow("{\"version\":2}")]
    public void FromBytes_NotAState_ThrowsInvalidDataException(string text)
    {
        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    [DataRow("\"order\":\"Window\"", "\"order\":\"Shuffled\"")]
    [DataRow("\"batchSize\":4096", "\"batchSize\":0")]
    [DataRow("\"position\":9000000000000", "\"position\":-1")]
    [DataRow("\"seed\":\"18446744073709551615\"", "\"seed\":\"-1\"")]
    public void FromBytes_FieldOutOfRange_ThrowsInvalidDataException(string field, string replacement)
    {
        string text = Encoding.UTF8.GetString(s_state.ToBytes());
        Assert.Contains(field, text);

        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal))));
    }
}
