using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Fuzzing;

/// <summary>
/// Fuzzes <see cref="LoaderState.FromBytes"/>: each mutated state must parse into a state that serializes back to
/// an equal one, or throw <see cref="InvalidDataException"/> (its documented exception), within the runner's bounds.
/// </summary>
[TestClass]
public sealed class LoaderStateFuzzTests
{
    public const string Target = "LoaderState";
    private const string InputName = "state.json";
    private const long AllocationLimit = 1L << 20;

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

    [TestMethod]
    public void FromBytes_MutatedState_ParsesConsistentlyOrThrowsInvalidData()
    {
        (_, int rejected) = FuzzRunner.Run(
            Target,
            FuzzRunner.Cases(5000),
            seed: 13,
            random => FuzzCase.Of(InputName, ByteMutator.Mutate(s_valid, random, [], json: true)),
            Check,
            e => e is InvalidDataException,
            AllocationLimit);

        Assert.IsGreaterThan(0, rejected);
    }

    [TestMethod]
    public void FromBytes_KeptRegressionInputs_ParseConsistentlyOrThrowInvalidData()
    {
        Assert.IsGreaterThan(0, FuzzRunner.Replay(Target, Check, e => e is InvalidDataException, AllocationLimit));
    }

    private static void Check(FuzzCase input)
    {
        LoaderState state = LoaderState.FromBytes(input.Files[InputName]);
        Assert.AreEqual(state, LoaderState.FromBytes(state.ToBytes()));
    }
}
