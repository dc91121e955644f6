using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

// Mutated inputs (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class CsvImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        FuzzRunner.Run("csv", seed: 2000000, FuzzRunner.Cases(2000), FuzzTargets.CsvCorpus, FuzzTargets.CsvTokens, FuzzTargets.Csv);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        FuzzRunner.Replay("csv", FuzzTargets.Csv);
    }
}
