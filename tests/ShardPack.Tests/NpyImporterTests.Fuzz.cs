using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class NpyImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run("npy", seed: 1000000, FuzzRunner.Cases(2000), FuzzTargets.NpyCorpus, FuzzTargets.NpyTokens, targets.Npy);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Replay("npy", targets.Npy);
    }
}
