using System.Runtime.InteropServices;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary>
/// <see cref="DatasetMixture"/>: per-epoch counts, schema checks, and loaders over mixtures (proportions, determinism,
/// ranks, resume on other world sizes, and the bytes of every sample against its stream's dataset).
/// </summary>
[TestClass]
public sealed partial class DatasetMixtureTests
{
    private const int B = 8;

    private static TempDirectory? s_dir;
    private static ShardDataset[]? s_mixed;
    private static ShardDataset[]? s_fixed;

    // Three datasets of the mixed schema (a variable field: batches are gathered), none and lz4 codecs, unequal sizes.
    private static ShardDataset[] Mixed => s_mixed ?? throw new InvalidOperationException("ClassInitialize did not run.");

    // Three datasets of fixed fields only (batches are scattered in Window order), lz4, none, lz4.
    private static ShardDataset[] Fixed => s_fixed ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_mixed =
        [
            ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 150, CodecKind.None, "a"), TestData.ReadOptions()),
            ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 61, CodecKind.Lz4, "b"), TestData.ReadOptions()),
            ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 97, CodecKind.Lz4, "c"), TestData.ReadOptions()),
        ];
        s_fixed =
        [
            ShardDataset.Open(WriteFixed(s_dir, "fa", 230, CodecKind.Lz4, salt: 1), TestData.ReadOptions()),
            ShardDataset.Open(WriteFixed(s_dir, "fb", 120, CodecKind.None, salt: 2), TestData.ReadOptions()),
            ShardDataset.Open(WriteFixed(s_dir, "fc", 75, CodecKind.Lz4, salt: 3), TestData.ReadOptions()),
        ];
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        foreach (ShardDataset d in (s_mixed ?? []).Concat(s_fixed ?? []))
        {
            d.Dispose();
        }

        s_dir?.Dispose();
    }

    [TestMethod]
    public void GetSamplesPerEpoch_Weights_SharesByLargestRemainder()
    {
        DatasetMixture equal = DatasetMixture.Create([.. Mixed.Select(d => MixtureStream.Weighted(d, 1))], epochSamples: 10);
        CollectionAssert.AreEqual(new long[] { 4, 3, 3 }, equal.GetSamplesPerEpoch(B), "10 over three equal weights: the leftover to the first");

        DatasetMixture skewed = DatasetMixture.Create(
            [MixtureStream.Weighted(Mixed[0], 0.5), MixtureStream.Weighted(Mixed[1], 0.3), MixtureStream.Weighted(Mixed[2], 0.2)], epochSamples: 101);
        CollectionAssert.AreEqual(new long[] { 51, 30, 20 }, skewed.GetSamplesPerEpoch(B), "50.5 / 30.3 / 20.2: the largest remainder gets the unit");

        DatasetMixture byDefault = DatasetMixture.Create([.. Mixed.Select(d => MixtureStream.Weighted(d, 2))]);
        Assert.AreEqual(150L + 61 + 97, byDefault.GetSamplesPerEpoch(B).Sum(), "the default epoch is the datasets' samples");

        DatasetMixture batches = DatasetMixture.Create([.. Mixed.Select(d => MixtureStream.Weighted(d, 1))], epochSamples: 100, granularity: MixtureGranularity.Batch);
        CollectionAssert.AreEqual(new long[] { 32, 32, 32 }, batches.GetSamplesPerEpoch(B), "12 batches of 8 over three equal weights");
    }

    [TestMethod]
    public void GetSamplesPerEpoch_CountsAndRepeats_AreExact()
    {
        DatasetMixture mixture = DatasetMixture.Create(
            [MixtureStream.Sampled(Mixed[0], 40), MixtureStream.Repeated(Mixed[1], 2.5), MixtureStream.Repeated(Mixed[2], 0.1)]);
        CollectionAssert.AreEqual(new long[] { 40, 152, 9 }, mixture.GetSamplesPerEpoch(B), "n=40, floor(61 x 2.5), floor(97 x 0.1)");
    }

    [TestMethod]
    public void Create_SchemaDiffers_ThrowsNamingStreamAndField()
    {
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => DatasetMixture.Create([MixtureStream.Weighted(Mixed[0], 1), MixtureStream.Weighted(Fixed[0], 1)]));
        StringAssert.Contains(e.Message, "Stream 1");
        StringAssert.Contains(e.Message, Fixed[0].Directory);
        StringAssert.Contains(e.Message, "'x'");
    }

    [TestMethod]
    public void Create_WeightsMixedWithCounts_Throws()
    {
        Assert.ThrowsExactly<ArgumentException>(() => DatasetMixture.Create([MixtureStream.Weighted(Mixed[0], 1), MixtureStream.Sampled(Mixed[1], 5)]));
        Assert.ThrowsExactly<ArgumentException>(() => DatasetMixture.Create([]));
        Assert.ThrowsExactly<ArgumentException>(() => DatasetMixture.Create([MixtureStream.Sampled(Mixed[1], 5)], epochSamples: 10));
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, MixtureGranularity.Sample)]
    [DataRow(SampleOrder.Window, MixtureGranularity.Sample)]
    [DataRow(SampleOrder.Random, MixtureGranularity.Sample)]
    [DataRow(SampleOrder.Window, MixtureGranularity.Batch)]
    public void NextBatch_WeightedMixture_EachEpochTakesTheExactCountsAndTheBytesOfEachSource(SampleOrder order, MixtureGranularity granularity)
    {
        DatasetMixture mixture = DatasetMixture.Create(
            [MixtureStream.Weighted(Mixed[0], 3), MixtureStream.Weighted(Mixed[1], 1), MixtureStream.Weighted(Mixed[2], 2)], epochSamples: 200, granularity: granularity);
        long[] counts = mixture.GetSamplesPerEpoch(B);
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 3 };
        List<MixRecord> batches = Run(mixture, options, Mixed);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            long[] seen = new long[3];
            foreach (SampleSource s in batches.Where(b => b.Epoch == epoch).SelectMany(b => b.Sources))
            {
                seen[s.Stream]++;
            }

            CollectionAssert.AreEqual(counts, seen, $"epoch {epoch}: samples per stream");
        }

        if (granularity == MixtureGranularity.Batch)
        {
            foreach (MixRecord b in batches.Where(b => b.Sources.Length == B))
            {
                Assert.AreEqual(1, b.Sources.Select(s => s.Stream).Distinct().Count(), $"batch {b.Sequence} comes from one stream");
            }
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Sequential)]
    public void NextBatch_FixedFieldsScattered_DeliverTheBytesOfEachSource(SampleOrder order)
    {
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Weighted(Fixed[0], 1), MixtureStream.Weighted(Fixed[1], 1), MixtureStream.Weighted(Fixed[2], 1)]);
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 2, LogicalPartitions = 2 };
        using (ShardLoader probe = ShardLoader.Create(mixture, options))
        {
            Assert.IsTrue(probe.Scatters, "batches of fixed fields are scattered");
        }

        List<MixRecord> batches = Run(mixture, options, Fixed);
        Assert.AreEqual(2 * (230L + 120 + 75), batches.Sum(b => (long)b.Sources.Length), "two epochs of every sample");
    }

    [TestMethod]
    public void NextBatch_UpSampledStreamsScattered_EachPassReadsEverySampleOnce()
    {
        // 75 samples taken 2.5 times an epoch (floor(187.5) = 187): four whole passes over two epochs and most of a fifth.
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Repeated(Fixed[2], 2.5), MixtureStream.Sampled(Fixed[1], 40)]);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 2 };
        using (ShardLoader probe = ShardLoader.Create(mixture, options))
        {
            Assert.IsTrue(probe.Scatters, "batches of fixed fields are scattered");
        }

        List<MixRecord> batches = Run(mixture, options, [Fixed[2], Fixed[1]]);
        long[] stream0 = [.. batches.SelectMany(b => b.Sources).Where(s => s.Stream == 0).Select(s => s.Index)];
        Assert.HasCount(374, stream0, "187 per epoch");
        for (int pass = 0; pass < 4; pass++)
        {
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 75).Select(i => (long)i).ToArray(), stream0[(pass * 75)..((pass + 1) * 75)], $"pass {pass}");
        }
    }

    [TestMethod]
    public void NextBatch_DownSampledStream_ContinuesThroughItsDataAcrossEpochs()
    {
        // 61 samples, 20 per epoch: epochs 0-2 take 60 distinct ones, epoch 3 the last one and 19 of the next pass.
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Sampled(Mixed[0], 30), MixtureStream.Sampled(Mixed[1], 20)]);
        List<MixRecord> batches = Run(mixture, LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 4 }, Mixed);
        long[] stream1 = [.. batches.SelectMany(b => b.Sources).Where(s => s.Stream == 1).Select(s => s.Index)];
        Assert.HasCount(80, stream1, "20 per epoch");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 61).Select(i => (long)i).ToArray(), stream1[..61], "the first 61 cover the stream once");
        Assert.AreEqual(19, stream1[61..].Distinct().Count(), "the next pass starts again");
    }

    [TestMethod]
    public void PlanEpoch_SameOptions_MatchesTheLoaderAndIsDeterministic()
    {
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Sampled(Mixed[0], 120), MixtureStream.Repeated(Mixed[1], 1.5), MixtureStream.Sampled(Mixed[2], 50)]);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 2, LogicalPartitions = 2 };
        List<MixRecord> run = Run(mixture, options, Mixed);
        List<MixRecord> again = Run(mixture, options, Mixed);
        SampleSource[] planned = [.. ShardLoader.PlanEpoch(mixture, options, 0).Concat(ShardLoader.PlanEpoch(mixture, options, 1)).SelectMany(b => b)];
        CollectionAssert.AreEqual(planned, run.SelectMany(b => b.Sources).ToArray(), "the plan is what the loader delivers");
        CollectionAssert.AreEqual(planned, again.SelectMany(b => b.Sources).ToArray(), "a second run delivers the same");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window, false, 1)]
    [DataRow(SampleOrder.Random, true, 2)]
    [DataRow(SampleOrder.Sequential, false, 3)]
    public void NextBatch_EveryWorldSize_RanksGetEqualBatchCountsAndTogetherTheGlobalOrder(SampleOrder order, bool dropLast, int partitions)
    {
        DatasetMixture mixture = DatasetMixture.Create([.. Mixed.Select((d, i) => MixtureStream.Weighted(d, i + 1))], epochSamples: 211);
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 2, DropLast = dropLast, LogicalPartitions = partitions };
        Dictionary<(int, long), SampleSource> global = GlobalOrder(mixture, options);
        foreach (int world in new[] { 3, 8 })
        {
            long? perRank = null;
            var covered = new HashSet<(int, long)>();
            for (int rank = 0; rank < world; rank++)
            {
                List<MixRecord> batches = Run(mixture, options with { WorldSize = world, Rank = rank }, Mixed);
                perRank ??= batches.Count;
                Assert.AreEqual(perRank, (long)batches.Count, $"world {world} rank {rank}: batch count");
                AssertMatches(global, batches, covered, $"world {world} rank {rank}");
            }

            if (!dropLast)
            {
                Assert.HasCount(global.Count, covered, $"world {world}: the ranks cover the global order");
            }
        }
    }

    [TestMethod]
    [DataRow(1, 3, 11)]
    [DataRow(3, 8, 23)]
    [DataRow(8, 1, 37)]
    [DataRow(3, 1, 41)]
    [DataRow(1, 8, 53)]
    public void GetState_ResumeOnAnotherWorldSize_DeliversExactlyTheBatchesStillDue(int fromWorld, int toWorld, int seed)
    {
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Weighted(Fixed[0], 2), MixtureStream.Weighted(Fixed[1], 1), MixtureStream.Weighted(Fixed[2], 1)]);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 2, LogicalPartitions = 2 };
        Dictionary<(int, long), SampleSource> global = GlobalOrder(mixture, options);
        var random = new Random(seed);
        for (int trial = 0; trial < 2; trial++)
        {
            LoaderState? state = null;
            long perRank = 0;
            int stopAfter = 0;
            for (int rank = 0; rank < fromWorld; rank++)
            {
                using ShardLoader loader = ShardLoader.Create(mixture, options with { WorldSize = fromWorld, Rank = rank });
                perRank = loader.TotalBatches!.Value;
                stopAfter = stopAfter == 0 ? random.Next(1, (int)perRank) : stopAfter;
                for (int k = 0; k < stopAfter; k++)
                {
                    loader.NextBatch()!.Dispose();
                }

                LoaderState taken = loader.GetState();
                Assert.AreEqual(state ?? taken, taken, $"rank {rank}: every rank of a lock-step job has the same state");
                state = taken;
            }

            LoaderState restored = LoaderState.FromBytes(state!.ToBytes());
            Assert.AreEqual(state, restored, "serialization round trip");
            var covered = new HashSet<(int, long)>();
            long? resumedPerRank = null;
            for (int rank = 0; rank < toWorld; rank++)
            {
                List<MixRecord> rest = Run(mixture, options with { WorldSize = toWorld, Rank = rank, ResumeFrom = restored }, Fixed);
                resumedPerRank ??= rest.Count;
                Assert.AreEqual(resumedPerRank, (long)rest.Count, $"resumed rank {rank}: batch count");
                AssertMatches(global, rest, covered, $"resumed rank {rank} of {toWorld}");
            }

            long due = global.Keys.Count(k => k.Item1 > restored.Epoch || (k.Item1 == restored.Epoch && k.Item2 >= restored.Position));
            Assert.AreEqual(due, (long)covered.Count, $"after {stopAfter} batches of {fromWorld} ranks: the positions still due");
        }
    }

    [TestMethod]
    public void Create_ResumeWithOtherWindowPiecesOrOrderVersion_ThrowsNamingIt()
    {
        DatasetMixture mixture = DatasetMixture.Create([.. Mixed.Select(d => MixtureStream.Weighted(d, 1))]);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B);
        LoaderState state = StateAfterOneBatch(mixture, options);

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(mixture, options with { WindowPieceSamples = null, ResumeFrom = state }));
        StringAssert.Contains(e.Message, "WindowPieceSamples");

        e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(mixture, options with { ResumeFrom = state with { OrderVersion = 2 } }));
        StringAssert.Contains(e.Message, "version 2 of the Window order function");
    }

    [TestMethod]
    public void Create_ResumeFromAnotherMixture_ThrowsNamingTheStream()
    {
        DatasetMixture mixture = DatasetMixture.Create([.. Mixed.Select(d => MixtureStream.Weighted(d, 1))]);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B);
        LoaderState state = StateAfterOneBatch(mixture, options);

        DatasetMixture reweighted = DatasetMixture.Create([MixtureStream.Weighted(Mixed[0], 1), MixtureStream.Weighted(Mixed[1], 2), MixtureStream.Weighted(Mixed[2], 1)]);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(reweighted, options with { ResumeFrom = state }));
        StringAssert.Contains(e.Message, "Stream 1");
        StringAssert.Contains(e.Message, "w=2");

        DatasetMixture swapped = DatasetMixture.Create([MixtureStream.Weighted(Mixed[0], 1), MixtureStream.Weighted(Mixed[2], 1), MixtureStream.Weighted(Mixed[1], 1)]);
        e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(swapped, options with { ResumeFrom = state }));
        StringAssert.Contains(e.Message, "Stream 1");
        StringAssert.Contains(e.Message, "fingerprint");

        e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed[0], options with { ResumeFrom = state }));
        StringAssert.Contains(e.Message, state.DatasetFingerprint);

        LoaderState single;
        using (ShardLoader loader = ShardLoader.Create(Mixed[0], options))
        {
            single = loader.GetState();
        }

        e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(mixture, options with { ResumeFrom = single }));
        StringAssert.Contains(e.Message, "not to a mixture");
    }

    [TestMethod]
    public void GetState_SixteenStreams_SerializesUnderOneKilobyte()
    {
        DatasetMixture mixture = DatasetMixture.Create(Enumerable.Range(0, 16).Select(i => MixtureStream.Weighted(Mixed[i % 3], 1.0 / (i + 3))), epochSamples: 1_000_000_007);
        using ShardLoader loader = ShardLoader.Create(mixture, LoaderHarness.Options(SampleOrder.Window, B) with { Seed = ulong.MaxValue, Epochs = null });
        LoaderState state = loader.GetState() with { Epoch = int.MaxValue, Position = long.MaxValue, WorldSize = int.MaxValue };
        byte[] bytes = state.ToBytes();
        Assert.IsLessThan(1024, bytes.Length, "serialized size: " + System.Text.Encoding.UTF8.GetString(bytes));
        Assert.AreEqual(state, LoaderState.FromBytes(bytes), "round trip");
    }

    [TestMethod]
    public void GetState_SixteenSplitStreamsWithLongWeights_SerializesUnderOneKilobyte()
    {
        IReadOnlyList<DatasetSplit> splits = DatasetSplit.Partition(Mixed[0], SplitMethod.Hash, [.. Enumerable.Range(0, 16).Select(i => $"part{i}")], [.. Enumerable.Repeat(1.0, 16)], key: ulong.MaxValue);
        DatasetMixture mixture = DatasetMixture.Create(splits.Select((s, i) => MixtureStream.Weighted(s, 1.2345678901234567e-300 / (i + 7))), epochSamples: long.MaxValue / 4);
        using ShardLoader loader = ShardLoader.Create(mixture, LoaderHarness.Options(SampleOrder.Window, B) with { Seed = ulong.MaxValue, Epochs = null });
        LoaderState state = loader.GetState() with { Epoch = int.MaxValue, Position = long.MaxValue, WorldSize = int.MaxValue };
        byte[] bytes = state.ToBytes();
        Assert.IsLessThan(1024, bytes.Length, "serialized size: " + System.Text.Encoding.UTF8.GetString(bytes));
        Assert.AreEqual(state, LoaderState.FromBytes(bytes), "round trip");
    }

    private static Dictionary<(int, long), SampleSource> GlobalOrder(DatasetMixture mixture, ShardLoaderOptions options)
    {
        var global = new Dictionary<(int, long), SampleSource>();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            long position = 0;
            foreach (SampleSource s in ShardLoader.PlanEpoch(mixture, options with { WorldSize = 1, Rank = 0 }, epoch).SelectMany(b => b))
            {
                global[(epoch, position++)] = s;
            }
        }

        return global;
    }

    private static void AssertMatches(Dictionary<(int, long), SampleSource> global, List<MixRecord> batches, HashSet<(int, long)> covered, string what)
    {
        foreach (MixRecord b in batches)
        {
            for (int i = 0; i < b.Sources.Length; i++)
            {
                (int, long) at = (b.Epoch, b.Position + i);
                Assert.AreEqual(global[at], b.Sources[i], $"{what}: epoch {b.Epoch} position {b.Position + i}");
                Assert.IsTrue(covered.Add(at), $"{what}: epoch {b.Epoch} position {b.Position + i} delivered twice");
            }
        }
    }

    // Runs a loader to the end; checks every field of every sample against its stream's dataset (datasets[stream]), byte for byte.
    private static List<MixRecord> Run(DatasetMixture mixture, ShardLoaderOptions options, ShardDataset[] datasets)
    {
        var batches = new List<MixRecord>();
        ShardLoader loader = ShardLoader.Create(mixture, options);
        using (loader)
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    SampleSource[] sources = batch.Sources.ToArray();
                    AssertBytes(batch, sources, datasets);
                    batches.Add(new MixRecord(batch.Epoch, batch.Position, batch.Sequence, sources));
                }
            }

            Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        }

        Assert.AreEqual(0, loader.RunningWorkers, "running workers after dispose");
        Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes, "budget bytes in use after dispose");
        foreach (ShardDataset d in datasets)
        {
            Assert.AreEqual(0L, d.LiveLeases, "dataset leases after dispose");
        }

        return batches;
    }

    private static void AssertBytes(Batch batch, SampleSource[] sources, ShardDataset[] datasets)
    {
        Schema schema = batch.Schema;
        for (int f = 0; f < schema.Count; f++)
        {
            for (int i = 0; i < sources.Length; i++)
            {
                using SampleLease expected = datasets[sources[i].Stream].ReadSample(sources[i].Index);
                ReadOnlySpan<byte> want;
                ReadOnlySpan<byte> got;
                if (schema[f].IsVariable)
                {
                    Assert.AreEqual(4, schema[f].ItemSize, "the test datasets' variable field holds i32");
                    want = MemoryMarshal.AsBytes(expected.Get<int>(f));
                    got = MemoryMarshal.AsBytes(batch.GetVariable<int>(f)[i]);
                }
                else
                {
                    want = expected.Get<byte>(f);
                    got = batch.GetFixed<byte>(f).Slice(i * schema[f].BytesPerSample, schema[f].BytesPerSample);
                }

                if (!want.SequenceEqual(got))
                {
                    Assert.Fail($"batch {batch.Sequence} item {i} ({sources[i]}): field {schema[f].Name} differs from the stream's dataset.");
                }
            }
        }
    }

    private static string WriteFixed(TempDirectory dir, string name, int count, CodecKind codec, int salt)
    {
        string path = dir.Combine(name);
        var schema = new Schema(FieldSpec.Fixed("x", DType.F32, 6), FieldSpec.Fixed("id", DType.I64));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema, TestData.Options(codec, chunkBytes: 512, shardBytes: 4 << 10)))
        {
            for (int i = 0; i < count; i++)
            {
                writer.Write<float>(0, [.. Enumerable.Range(0, 6).Select(k => (float)((salt * 100000) + (i * 6) + k))]);
                writer.WriteScalar(1, ((long)salt << 32) | (uint)i);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }

    private static LoaderState StateAfterOneBatch(DatasetMixture mixture, ShardLoaderOptions options)
    {
        using ShardLoader loader = ShardLoader.Create(mixture, options);
        loader.NextBatch()!.Dispose();
        return loader.GetState();
    }

    private sealed record MixRecord(int Epoch, long Position, long Sequence, SampleSource[] Sources);
}
