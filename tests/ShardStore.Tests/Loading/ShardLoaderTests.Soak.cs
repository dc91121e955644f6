using System.Diagnostics;
using System.Globalization;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    private const int SoakSamples = 300;
    private const string SoakEpochsVariable = "SHARDSTORE_SOAK_EPOCHS";
    private static readonly TimeSpan s_settleTime = TimeSpan.FromSeconds(10);

    private enum SoakAction
    {
        /// <summary>The whole epoch, every batch checked.</summary>
        Complete,

        /// <summary>A wait cancelled at a random moment, then the rest of the epoch.</summary>
        Cancel,

        /// <summary>The loader disposed mid-epoch while the consumer holds a batch.</summary>
        DisposeMidEpoch,

        /// <summary>A decode in a worker throws; the consumer sees it after the batches before it.</summary>
        WorkerFault,
    }

    // Runs with the process to itself, so the process-wide counts it checks are its own.
    [TestMethod]
    [DoNotParallelize]
    public void NextBatch_SoakOfEpochsWithCancellationDisposeAndWorkerFaults_ReturnsEveryResourceToItsStart()
    {
        int epochs = int.TryParse(Environment.GetEnvironmentVariable(SoakEpochsVariable), CultureInfo.InvariantCulture, out int e) ? e : 100;
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        using var dir = new TempDirectory();
        var faulty = new FaultyDecodeCodec();
        using ShardDataset none = ShardDataset.Open(LoaderHarness.WriteMixed(dir, SoakSamples, CodecKind.None, "none"), TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        using ShardDataset lz4 = ShardDataset.Open(LoaderHarness.WriteMixed(dir, SoakSamples, CodecKind.Lz4, "lz4"), new ShardDatasetOptions { Codecs = faulty, Checksums = ChecksumPolicy.Always });
        using ShardDataset fixedLz4 = ShardDataset.Open(WriteFixed(dir.Combine("fixed"), SoakSamples), new ShardDatasetOptions { Codecs = faulty, Checksums = ChecksumPolicy.FirstTouch });
        ShardDataset[] datasets = [none, lz4, fixedLz4];

        // A first pass over each maps every shard (a file descriptor each) and starts the runtime's own threads,
        // the timer thread behind CancelAfter among them.
        foreach (ShardDataset ds in datasets)
        {
            LoaderHarness.Run(ds, SoakOptions(ds, SampleOrder.Sequential, zeroCopy: false), checkValues: false);
        }

        using (var timer = new CancellationTokenSource())
        {
            timer.CancelAfter(1);
            timer.Token.WaitHandle.WaitOne();
        }

        Resources start = Resources.Measure(datasets);
        var counts = new Dictionary<SoakAction, int>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            ShardDataset ds = datasets[rng.Next(datasets.Length)];
            var order = (SampleOrder)rng.Next(3);
            var action = (SoakAction)rng.Next(ds == none ? 3 : 4);
            bool zeroCopy = ds == none && order == SampleOrder.Sequential && rng.Next(2) == 0;
            string what = $"seed {seed}, epoch {epoch}: {action} in {order} order over {ds.Codec} ({ds.Schema.Count} fields){(zeroCopy ? ", ZeroCopy" : string.Empty)}";
            counts[action] = counts.GetValueOrDefault(action) + 1;

            ShardLoader loader = ShardLoader.Create(ds, SoakOptions(ds, order, zeroCopy));
            try
            {
                SoakEpoch(loader, action, rng, faulty, what);
            }
            finally
            {
                loader.Dispose();
                faulty.FailAt(0);
            }

            Assert.AreEqual(0, loader.RunningWorkers, $"{what}: workers");
            Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes, $"{what}: loader budget in use");
            Resources.Measure(datasets).AssertBackTo(start, what);
        }

        Resources.Measure(datasets).AssertBackTo(start, $"seed {seed}: after {epochs} epochs");
        Console.WriteLine($"Soak: {epochs} epochs (seed {seed}): {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}; {faulty.Failures} injected decode failures; start {start}, end {Resources.Measure(datasets)}");
    }

    private static ShardLoaderOptions SoakOptions(ShardDataset ds, SampleOrder order, bool zeroCopy) =>
        LoaderHarness.Options(order, zeroCopy ? ZeroCopyBatch : CoverageBatch) with { Epochs = 1, ZeroCopy = zeroCopy, WindowChunks = 3 };

    private static void SoakEpoch(ShardLoader loader, SoakAction action, Random rng, FaultyDecodeCodec faulty, string what)
    {
        long total = loader.TotalBatches!.Value;
        int stopAt = rng.Next((int)total);
        long seen = 0;
        switch (action)
        {
            case SoakAction.Complete:
                seen = DrainChecked(loader, int.MaxValue);
                Assert.AreEqual(total, seen, $"{what}: batches");
                break;

            case SoakAction.Cancel:
                seen = DrainChecked(loader, stopAt);
                using (var cts = new CancellationTokenSource())
                {
                    // Sometimes before the wait, sometimes during it, sometimes too late to matter.
                    cts.CancelAfter(rng.Next(3));
                    try
                    {
                        using Batch? batch = loader.NextBatch(cts.Token);
                        seen += batch is null ? 0 : CheckSoakBatch(batch);
                    }
                    catch (OperationCanceledException)
                    {
                        // The loader keeps going: the batch still comes next.
                    }
                }

                seen += DrainChecked(loader, int.MaxValue);
                Assert.AreEqual(total, seen, $"{what}: batches after a cancelled wait");
                break;

            case SoakAction.DisposeMidEpoch:
                DrainChecked(loader, stopAt);
                Batch? held = loader.NextBatch();
                loader.Dispose();
                if (held is not null)
                {
                    CheckSoakBatch(held);
                    held.Dispose();
                }

                break;

            case SoakAction.WorkerFault:
                faulty.FailAt(1 + rng.Next(8));
                try
                {
                    DrainChecked(loader, int.MaxValue);
                }
                catch (IOException x) when (x.Message.StartsWith("FaultyDecodeCodec", StringComparison.Ordinal))
                {
                    Assert.ThrowsExactly<IOException>(() => loader.NextBatch(), $"{what}: the loader stays stopped");
                }

                break;
        }
    }

    private static long DrainChecked(ShardLoader loader, int limit)
    {
        long count = 0;
        while (count < limit && loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                CheckSoakBatch(batch);
            }

            count++;
        }

        return count;
    }

    private static int CheckSoakBatch(Batch batch)
    {
        if (batch.Schema.Count == 3)
        {
            LoaderHarness.AssertMixedValues(batch);
            return 1;
        }

        ReadOnlySpan<float> x = batch.GetFixed<float>(0);
        ReadOnlySpan<long> labels = batch.GetFixed<long>(1);
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            if (labels[i] != s * 3 || x[i * 12] != (s * 12) + 0.5f || x[(i * 12) + 11] != (s * 12) + 11.5f)
            {
                Assert.Fail($"{LoaderHarness.Describe(batch)}: sample {s} (item {i}) holds wrong values.");
            }
        }

        return 1;
    }

    // The mixed schema's fixed fields alone, so batches of compressed chunks are filled by scatter.
    private static string WriteFixed(string path, long count, CodecKind codec = CodecKind.Lz4)
    {
        var schema = new Schema(TestData.MixedSchema[0], TestData.MixedSchema[1]);
        using DatasetWriter writer = DatasetWriter.Create(path, schema, TestData.Options(codec, chunkBytes: 1024, shardBytes: 8 << 10));
        for (long i = 0; i < count; i++)
        {
            writer.Write<float>(0, TestData.Features(i));
            writer.WriteScalar(1, i * 3);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }

    /// <summary>Process-wide resources the loader must give back: file descriptors, threads outside the thread pool, dataset memory and leases.</summary>
    private readonly record struct Resources(int FileDescriptors, int Threads, long DecodeBytesInUse, long LiveLeases)
    {
        public static Resources Measure(ShardDataset[] datasets)
        {
            using Process self = Process.GetCurrentProcess();
            return new Resources(
                OperatingSystem.IsLinux() ? Directory.GetFiles("/proc/self/fd").Length : 0,
                self.Threads.Count - ThreadPool.ThreadCount,
                datasets.Sum(d => d.DecodeBytesInUse),
                datasets.Sum(d => d.LiveLeases));
        }

        // Threads of a disposed loader have finished their work but may take a moment to leave the process.
        public void AssertBackTo(Resources start, string what)
        {
            Resources now = this;
            var clock = Stopwatch.StartNew();
            while ((now.Threads > start.Threads || now.FileDescriptors > start.FileDescriptors) && clock.Elapsed < s_settleTime)
            {
                Thread.Sleep(20);
                now = Measure([]) with { DecodeBytesInUse = DecodeBytesInUse, LiveLeases = LiveLeases };
            }

            Assert.AreEqual(start.FileDescriptors, now.FileDescriptors, $"{what}: open file descriptors");
            Assert.IsLessThanOrEqualTo(start.Threads, now.Threads, $"{what}: threads outside the thread pool");
            Assert.AreEqual(start.DecodeBytesInUse, now.DecodeBytesInUse, $"{what}: dataset decode bytes in use");
            Assert.AreEqual(start.LiveLeases, now.LiveLeases, $"{what}: dataset leases");
        }

        public override string ToString() => $"{FileDescriptors} fds, {Threads} threads outside the pool, {DecodeBytesInUse} decode bytes, {LiveLeases} leases";
    }
}
