using ShardPack.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardPack.Tests;

// Mutated TFRecord files, plain and GZIP (see FuzzRunner): each case ends in data or an InvalidDataException, within the time and allocation bounds.
public sealed partial class TfRecordImporterTests
{
    [TestMethod]
    public void Fuzz_MutatedFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run(FuzzTarget.OfBytes("tfrecord", targets.TfRecord), seed: 4000000, FuzzRunner.Cases(2000), FuzzTargets.TfRecordCorpus, FuzzTargets.ProtoTokens);
    }

    [TestMethod]
    public void Fuzz_MutatedGzipFiles_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Run(FuzzTarget.OfBytes("tfrecord-gzip", targets.GzipTfRecord), seed: 5000000, FuzzRunner.Cases(2000), FuzzTargets.GzipTfRecordCorpus, FuzzTargets.ProtoTokens);
    }

    [TestMethod]
    public void Fuzz_SavedRegressions_EndInDataOrTypedError()
    {
        using var targets = new FuzzTargets();
        FuzzRunner.Replay(FuzzTarget.OfBytes("tfrecord", targets.TfRecord));
        FuzzRunner.Replay(FuzzTarget.OfBytes("tfrecord-gzip", targets.GzipTfRecord));
    }
}
