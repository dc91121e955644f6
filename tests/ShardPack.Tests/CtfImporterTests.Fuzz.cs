using ShardPack.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class CtfImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        FuzzRunner.Run(FuzzTarget.OfBytes("ctf", FuzzTargets.Ctf), seed: 3000000, FuzzRunner.Cases(2000), FuzzTargets.CtfCorpus, FuzzTargets.CtfTokens);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        FuzzRunner.Replay(FuzzTarget.OfBytes("ctf", FuzzTargets.Ctf));
    }
}
