using ShardStore.Format;
using ShardStore.Testing.Fuzzing;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Fuzzing;

/// <summary>
/// Fuzzes manifest.json through <see cref="ShardDataset.Open"/> and a full read (and so <see cref="ManifestSerializer.Parse"/>):
/// each mutated manifest must give the written samples or an <see cref="InvalidDataException"/>, within the
/// runner's time and allocation bounds. Mutations include extreme numbers, replaced strings and deep nesting.
/// </summary>
[TestClass]
public sealed class ManifestSerializerFuzzTests
{
    private static FuzzDataset? s_dataset;

    private static FuzzDataset Dataset => s_dataset!;

    private static FuzzTarget Target => Dataset.Target("Manifest");

    [ClassInitialize]
    public static void CreateDataset(TestContext context) => s_dataset = new FuzzDataset();

    [ClassCleanup]
    public static void DeleteDataset() => s_dataset?.Dispose();

    [TestMethod]
    public void Open_MutatedManifest_ReadsWrittenSamplesOrThrowsInvalidData()
    {
        (int succeeded, int rejected) = FuzzRunner.Run(
            Target,
            seed: 11,
            FuzzRunner.Cases(2000),
            random => FuzzCase.Of(FormatConstants.ManifestFileName, new Mutator(random).Mutate(Dataset.Manifest, [])),
            [FuzzCase.Of(FormatConstants.ManifestFileName, Dataset.Manifest)]);

        Assert.IsGreaterThan(0, rejected);
        Assert.IsGreaterThan(0, succeeded, "no mutation left the manifest valid (metadata, creator, whitespace)");
    }

    [TestMethod]
    public void Open_KeptRegressionInputs_ReadWrittenSamplesOrThrowInvalidData()
    {
        Assert.IsGreaterThan(0, FuzzRunner.Replay(Target));
    }
}
