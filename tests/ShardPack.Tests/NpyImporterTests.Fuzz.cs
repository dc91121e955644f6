using ShardPack.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class NpyImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run(FuzzTarget.OfBytes("npy", targets.Npy), seed: 1000000, FuzzRunner.Cases(2000), FuzzTargets.NpyCorpus, FuzzTargets.NpyTokens);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Replay(FuzzTarget.OfBytes("npy", targets.Npy));
    }
}
