using ShardStore.Testing.Fuzzing;

namespace ShardStore.Tests.Fuzzing;

/// <summary>
/// Fuzzes <see cref="LoaderState.FromBytes"/>: each mutated state must parse into a state that serializes back to
/// an equal one, or throw <see cref="InvalidDataException"/> (its documented exception), within the runner's bounds.
/// </summary>
[TestClass]
public sealed class LoaderStateFuzzTests
{
    private const string InputName = "state.json";

    private static readonly byte[] s_valid = new LoaderState
    {
        DatasetFingerprint = "0123456789abcdef0123456789abcdef",
        DatasetIdentity = "00112233445566778899aabbccddeeff",
        Seed = 42,
        Order = SampleOrder.Window,
        BatchSize = 256,
        WindowChunks = 8,
        LogicalPartitions = 64,
        DropLast = false,
        Epoch = 3,
        Position = 123_456,
        WorldSize = 8,
    }.ToBytes();

    private static readonly FuzzTarget s_target = new("LoaderState", Check) { TimeLimit = TimeSpan.FromSeconds(10), AllocationLimit = 1L << 20 };

    [TestMethod]
    public void FromBytes_MutatedState_ParsesConsistentlyOrThrowsInvalidData()
    {
        (_, int rejected) = FuzzRunner.Run(
            s_target,
            seed: 13,
            FuzzRunner.Cases(5000),
            random => FuzzCase.Of(InputName, new Mutator(random).Mutate(s_valid, [])),
            [FuzzCase.Of(InputName, s_valid)]);

        Assert.IsGreaterThan(0, rejected);
    }

    [TestMethod]
    public void FromBytes_KeptRegressionInputs_ParseConsistentlyOrThrowInvalidData()
    {
        Assert.IsGreaterThan(0, FuzzRunner.Replay(s_target));
    }

    private static void Check(FuzzCase input)
    {
        LoaderState state = LoaderState.FromBytes(input.Files[InputName]);
        Assert.AreEqual(state, LoaderState.FromBytes(state.ToBytes()));
    }
}
