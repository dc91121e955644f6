using System.Diagnostics;

namespace ShardStore.Runner;

/// <summary>Timed passes of the loader over a dataset, consuming every label the way a training loop would.</summary>
internal static class LoaderStreamer
{
    /// <summary>How many times what the batch slots hold an epoch needs for its rate to measure the work.</summary>
    public const int MeaningfulEpochSlots = 10;

    public sealed record Result(IReadOnlyList<TimeSpan> EpochTimes, long SamplesPerEpoch, long BytesPerEpoch, long LabelSumPerEpoch, ShardLoaderStatistics Statistics)
    {
        /// <summary>Gets the processor time (user and kernel, every thread of the process) over all the epochs.</summary>
        public TimeSpan ProcessorTime { get; init; }

        /// <summary>Gets the samples the loader's batch slots hold together (<see cref="ShardLoader.SlotCount"/> batches).</summary>
        public long SlotSamples { get; init; }

        /// <summary>
        /// Gets whether an epoch is at least <see cref="MeaningfulEpochSlots"/> times what the slots hold: otherwise
        /// much of it is decoded into the slots before it is timed, and its rate measures little.
        /// </summary>
        public bool IsMeaningful => SamplesPerEpoch >= MeaningfulEpochSlots * SlotSamples;

        /// <summary>Gets the samples per epoch from which a rate is meaningful (<see cref="IsMeaningful"/>).</summary>
        public long MeaningfulSamples => MeaningfulEpochSlots * SlotSamples;

        public TimeSpan Best => EpochTimes.Min();

        /// <summary>Gets the best epoch after the first, which also verifies checksums on first touch and warms up the JIT.</summary>
        public TimeSpan BestAfterFirst => EpochTimes.Count > 1 ? EpochTimes.Skip(1).Min() : EpochTimes[0];

        public double SamplesPerSecond => SamplesPerEpoch / Best.TotalSeconds;

        public double BytesPerSecond => BytesPerEpoch / Best.TotalSeconds;

        /// <summary>Checks that every epoch delivered what was packed.</summary>
        /// <exception cref="InvalidOperationException">The sample count or the label sum differs.</exception>
        public Result Verify(long samples, long labelSum) =>
            SamplesPerEpoch == samples && LabelSumPerEpoch == labelSum
                ? this
                : throw new InvalidOperationException($"Read {SamplesPerEpoch} samples with label sum {LabelSumPerEpoch}; expected {samples} and {labelSum}.");
    }

    /// <summary>Streams <paramref name="epochs"/> epochs with one loader and times each (from the end of the previous one).</summary>
    public static Result Stream(ShardDataset dataset, ShardLoaderOptions options, int epochs, CancellationToken cancellationToken = default)
    {
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        using ShardLoader loader = ShardLoader.Create(dataset, options with { Epochs = epochs });
        int label = dataset.Schema.IndexOf("label");
        var times = new List<TimeSpan>();
        long[] sums = new long[epochs];
        long[] samples = new long[epochs];
        long[] bytes = new long[epochs];
        var sw = Stopwatch.StartNew();
        TimeSpan mark = TimeSpan.Zero;
        int current = 0;
        while (loader.NextBatch(cancellationToken) is { } batch)
        {
            using (batch)
            {
                if (batch.Epoch != current)
                {
                    times.Add(sw.Elapsed - mark);
                    mark = sw.Elapsed;
                    current = batch.Epoch;
                }

                samples[current] += batch.Count;
                for (int f = 0; f < batch.Schema.Count; f++)
                {
                    bytes[current] += batch.GetBytes(f).Length;
                }

                if (label >= 0)
                {
                    foreach (long v in batch.GetFixed<long>(label))
                    {
                        sums[current] += v;
                    }
                }
            }
        }

        times.Add(sw.Elapsed - mark);
        if (sums.Distinct().Count() != 1 || samples.Distinct().Count() != 1)
        {
            throw new InvalidOperationException($"Epochs disagree: samples {string.Join(", ", samples)}, label sums {string.Join(", ", sums)}.");
        }

        return new Result(times, samples[0], bytes[0], sums[0], loader.Statistics) { ProcessorTime = Environment.CpuUsage.TotalTime - cpu, SlotSamples = (long)loader.SlotCount * options.BatchSize };
    }

    /// <summary>Streams and verifies like <see cref="Stream"/>, measuring the process's peak memory over it.</summary>
    public static (Result Result, MemoryPeak Peak) Measure(ShardDataset dataset, ShardLoaderOptions options, int epochs, long samples, long labelSum, CancellationToken cancellationToken)
    {
        using MemoryProbe probe = MemoryProbe.Start();
        Result result = Stream(dataset, options, epochs, cancellationToken).Verify(samples, labelSum);
        return (result, probe.Stop());
    }
}
