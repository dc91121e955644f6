using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using ShardStore.ML.Tests.Infrastructure;

namespace ShardStore.ML.Tests;

[TestClass]
public sealed class ShardStoreCatalogTests
{
    [TestMethod]
    public void LoadFromShardDataset_NullDataset_Throws() =>
        Assert.ThrowsExactly<ArgumentNullException>(() => new MLContext(seed: 1).Data.LoadFromShardDataset(null!));

    [TestMethod]
    [DataRow("lbfgs", DType.F32)]
    [DataRow("sdca", DType.F16)]
    [DataRow("lbfgs", DType.BF16)]
    public void LoadFromShardDataset_TrainedClassifier_IsFarAboveChance(string trainer, DType featureType)
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = TestDatasets.Open(TestDatasets.WriteClusters(dir, featureType));
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromShardDataset(dataset);
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);

        var prepare = ml.Transforms.Conversion.MapValueToKey("Label", "label")
            .Append(ml.Transforms.CopyColumns("Features", "features"));
        EstimatorChain<MulticlassPredictionTransformer<MaximumEntropyModelParameters>> pipeline = trainer == "sdca"
            ? prepare.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 20))
            : prepare.Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"));
        var model = pipeline.Fit(split.TrainSet);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));

        // Three balanced classes: chance is about 0.33. The clusters are several noise widths apart.
        Assert.IsTrue(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy:F3}");
        long testRows = split.TestSet.GetColumn<int>("label").LongCount();
        Assert.IsTrue(testRows is > 500 and < 1000, $"{testRows} test rows of {dataset.SampleCount}");
    }
}
