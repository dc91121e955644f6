using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

// Mutated TFRecord files, plain and GZIP (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class TfRecordImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run("tfrecord", seed: 4000000, FuzzRunner.Cases(2000), FuzzTargets.TfRecordCorpus, FuzzTargets.ProtoTokens, targets.TfRecord);
    }

    [TestMethod]
    public void Fuzz_MutatedGzipFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run("tfrecord-gzip", seed: 5000000, FuzzRunner.Cases(2000), FuzzTargets.GzipTfRecordCorpus, FuzzTargets.ProtoTokens, targets.GzipTfRecord);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Replay("tfrecord", targets.TfRecord);
        FuzzRunner.Replay("tfrecord-gzip", targets.GzipTfRecord);
    }
}
