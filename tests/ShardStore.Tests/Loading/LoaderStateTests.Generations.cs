using System.Text;

namespace ShardStore.Tests.Loading;

public sealed partial class LoaderStateTests
{
    private static readonly LoaderLedger s_ledger = new()
    {
        Epoch = 123_456,
        Generation = 3,
        From = 1_000,
        To = 9_000_000_000_000L,
        Rank = 4095,
        WorldSize = 4096,
        Count = 2_197_265_625,
        Sum = ulong.MaxValue - 5,
    };

    [TestMethod]
    public void FromBytes_GenerationAndLedgers_ReturnsAnEqualState()
    {
        LoaderState state = s_state with { DatasetGeneration = 3, Ledger = s_ledger, PreviousLedger = s_ledger with { Epoch = 123_455, From = 0, Generation = 2 } };
        byte[] bytes = state.ToBytes();

        Assert.IsLessThan(1024, bytes.Length);
        Assert.AreEqual(state, LoaderState.FromBytes(bytes));
        Assert.Contains("\"sum\":\"fffffffffffffffa\"", Encoding.UTF8.GetString(bytes));
    }

    [TestMethod]
    public void ToBytes_LedgersAsTheLoaderKeepsThem_LeaveOutWhatTheStateImplies()
    {
        LoaderState state = s_state with { DatasetGeneration = 3, Ledger = s_ledger, PreviousLedger = s_ledger with { Epoch = 123_455, From = 0, To = 10_000_000_000_000L } };
        string text = Encoding.UTF8.GetString(state.ToBytes());

        Assert.Contains("\"ledger\":{\"from\":1000,\"rank\":4095,\"count\":2197265625,\"sum\":\"fffffffffffffffa\"}", text);
        Assert.Contains("\"previousLedger\":{\"to\":10000000000000,\"count\":2197265625,\"sum\":\"fffffffffffffffa\"}", text);
        Assert.AreEqual(state, LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    public void FromBytes_LedgerWithEveryMember_ReadsThemOverTheDefaults()
    {
        string text = Encoding.UTF8.GetString((s_state with { DatasetGeneration = 3 }).ToBytes()).Replace(
            "\"orderVersion\"",
            "\"ledger\":{\"epoch\":7,\"generation\":null,\"from\":5,\"to\":6,\"rank\":1,\"worldSize\":2,\"count\":1,\"sum\":\"00000000000000ff\"},\"orderVersion\"",
            StringComparison.Ordinal);

        LoaderLedger ledger = LoaderState.FromBytes(Encoding.UTF8.GetBytes(text)).Ledger!;

        Assert.AreEqual(new LoaderLedger { Epoch = 7, Generation = null, From = 5, To = 6, Rank = 1, WorldSize = 2, Count = 1, Sum = 0xff }, ledger);
    }

    [TestMethod]
    public void FromBytes_StateWithoutGenerationOrLedger_LoadsWithNulls()
    {
        LoaderState state = LoaderState.FromBytes(s_state.ToBytes());

        Assert.IsNull(state.DatasetGeneration);
        Assert.IsNull(state.Ledger);
        Assert.IsNull(state.PreviousLedger);
    }

    [TestMethod]
    [DataRow("\"generation\":3,\"seed\"", "\"generation\":0,\"seed\"")]
    [DataRow("\"rank\":4095", "\"rank\":4096")]
    [DataRow("\"from\":1000", "\"from\":-1")]
    [DataRow("\"position\":9000000000000", "\"position\":999")]
    [DataRow("\"sum\":\"fffffffffffffffa\"", "\"sum\":\"xyz\"")]
    [DataRow("\"count\":2197265625", "\"count\":-2")]
    public void FromBytes_GenerationOrLedgerOutOfRange_ThrowsInvalidDataException(string field, string replacement)
    {
        string text = Encoding.UTF8.GetString((s_state with { DatasetGeneration = 3, Ledger = s_ledger }).ToBytes());
        Assert.Contains(field, text);

        Assert.ThrowsExactly<InvalidDataException>(() => LoaderState.FromBytes(Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal))));
    }
}
