using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class CtfImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        FuzzRunner.Run("ctf", seed: 3000000, FuzzRunner.Cases(2000), FuzzTargets.CtfCorpus, FuzzTargets.CtfTokens, FuzzTargets.Ctf);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        FuzzRunner.Replay("ctf", FuzzTargets.Ctf);
    }
}
