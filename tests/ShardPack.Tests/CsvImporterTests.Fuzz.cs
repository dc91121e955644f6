using ShardPack.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class CsvImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        FuzzRunner.Run(FuzzTarget.OfBytes("csv", FuzzTargets.Csv), seed: 2000000, FuzzRunner.Cases(2000), FuzzTargets.CsvCorpus, FuzzTargets.CsvTokens);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        FuzzRunner.Replay(FuzzTarget.OfBytes("csv", FuzzTargets.Csv));
    }
}
