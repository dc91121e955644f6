using System.Buffers.Binary;
using ShardStore.Format;
using ShardStore.Testing.Fuzzing;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Fuzzing;

/// <summary>
/// Fuzzes the shard header, chunk table and footer through <see cref="ShardDataset.Open"/> and a full read: each
/// mutated shard must give the written samples or an <see cref="InvalidDataException"/>, within the runner's time
/// and allocation bounds. Half of the cases have every checksum re-signed, so the structural checks are reached.
/// </summary>
[TestClass]
public sealed class ShardFileFuzzTests
{
    private static FuzzDataset? s_dataset;

    private static FuzzDataset Dataset => s_dataset!;

    private static FuzzTarget Target => Dataset.Target("ShardFile");

    [ClassInitialize]
    public static void CreateDataset(TestContext context) => s_dataset = new FuzzDataset();

    [ClassCleanup]
    public static void DeleteDataset() => s_dataset?.Dispose();

    [TestMethod]
    public void Open_MutatedHeaderTableAndFooter_ReadsWrittenSamplesOrThrowsInvalidData()
    {
        (int succeeded, int rejected) = FuzzRunner.Run(Target, seed: 12, FuzzRunner.Cases(2000), Make, [new FuzzCase(new Dictionary<string, byte[]>())]);

        Assert.IsGreaterThan(0, rejected);
        Assert.IsGreaterThan(0, succeeded, "no mutation left the data readable (padding, unused bytes)");
    }

    [TestMethod]
    public void Open_KeptRegressionInputs_ReadWrittenSamplesOrThrowInvalidData()
    {
        Assert.IsGreaterThan(0, FuzzRunner.Replay(Target));
    }

    private static FuzzCase Make(Random random)
    {
        int shard = random.Next(Dataset.ShardCount);
        byte[] original = Dataset.Originals[FormatConstants.ShardFileName(shard)];
        long tableOffset = BinaryPrimitives.ReadInt64LittleEndian(original.AsSpan(original.Length - FormatConstants.FooterSize));
        Range[] focus = [0..FormatConstants.HeaderReadSize, (int)tableOffset..original.Length, (original.Length - FormatConstants.FooterSize)..original.Length];
        byte[] mutated = new Mutator(random).Mutate(original, focus);
        return random.Next(2) == 0 ? Dataset.Resign(shard, mutated) : FuzzCase.Of(FormatConstants.ShardFileName(shard), mutated);
    }
}
