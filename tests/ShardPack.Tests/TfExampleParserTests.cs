using ShardPack.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
[TestClass]
public sealed class TfExampleParserTests
{
    [TestMethod]
    public void Fuzz_MutatedMessages_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run(FuzzTarget.OfBytes("example", targets.Example), seed: 6000000, FuzzRunner.Cases(2000), FuzzTargets.ExampleCorpus, FuzzTargets.ProtoTokens);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Replay(FuzzTarget.OfBytes("example", targets.Example));
    }
}
