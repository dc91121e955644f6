using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Runner.Reporting;

namespace ShardStore.Runner;

/// <summary>
/// What people replace with ShardStore, on the same MNIST-like samples and in the same run as ShardLoader's Random
/// order over uncompressed shards: a folder with one file per sample read with File.ReadAllBytes in shuffled order
/// into new batch arrays, on one thread and on N threads (a PyTorch Dataset of files under a DataLoader with
/// workers); and a generator holding the whole dataset in arrays and copying shuffled rows into new batch arrays
/// (a Keras generator).
/// </summary>
internal static class NaiveScenario
{
    private const string Dataset = "mnist";

    private readonly record struct Epoch(TimeSpan Time, long Samples, long LabelSum);

    public static void Run(BenchmarkRun run)
    {
        RunnerOptions options = run.Options;
        long samples = options.NaiveSamples;
        if (samples > Array.MaxLength / SyntheticMnist.Pixels)
        {
            throw new ArgumentException($"--naive-samples {samples} does not fit the in-memory arrays; use at most {Array.MaxLength / SyntheticMnist.Pixels}.");
        }

        // Shards first, then files (a block each, usually 4 KiB), one after the other.
        FileSystems.Require(run.Scratch.Root, (long)(samples * 4096 * 1.1) + (256L << 20), "--naive (one file per sample)");
        BenchmarkRun.Packed packed = run.Pack(SyntheticMnist.Instance, samples, CodecKind.None, "naive-shards", report: false);
        double reference;
        try
        {
            using ShardDataset opened = SyntheticDataset.Open(packed.Path);
            var loader = new ShardLoaderOptions { BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };
            LoaderStreamer.Stream(opened, loader with { Order = SampleOrder.Sequential }, 1, run.Token).Verify(samples, packed.LabelSum);
            (LoaderStreamer.Result result, MemoryPeak peak) = LoaderStreamer.Measure(opened, loader with { Order = SampleOrder.Random }, options.Epochs, samples, packed.LabelSum, run.Token);
            reference = result.SamplesPerSecond;
            run.Add(run.LoaderRow("ShardLoader", Dataset, "none", SampleOrder.Random, "warm", options.Epochs, result, peak, [], "reference of the naive rows"));
        }
        finally
        {
            run.Scratch.Delete(packed.Path);
        }

        var baseline = $"ShardLoader random x{options.Threads}";
        string folder = run.Scratch.Reserve("naive-files");
        try
        {
            string[] paths = WriteFiles(folder, (int)samples, packed.LabelSum, run.Token);
            foreach (int threads in new[] { 1, options.Threads }.Distinct())
            {
                // A first epoch reads the files into the page cache, as the loader's warm-up pass does for its shards.
                FilesEpoch(paths, options.BatchSize, threads, -1, run.Token);
                run.Add(Measure(run, "file per sample", threads, samples, packed.LabelSum, epoch => FilesEpoch(paths, options.BatchSize, threads, epoch, run.Token), baseline, reference));
            }
        }
        finally
        {
            run.Scratch.Delete(folder);
        }

        (float[] images, long[] labels) = Generate((int)samples);
        run.Add(Measure(run, "in-memory generator", 1, samples, packed.LabelSum, epoch => ArraysEpoch(images, labels, options.BatchSize, epoch, run.Token), baseline, reference));
    }

    private static ResultRow Measure(BenchmarkRun run, string scenario, int threads, long samples, long labelSum, Func<int, Epoch> epoch, string baseline, double reference)
    {
        int epochs = run.Options.Epochs;
        var times = new List<TimeSpan>();
        MemoryPeak peak;
        using (MemoryProbe probe = MemoryProbe.Start())
        {
            for (int e = 0; e < epochs; e++)
            {
                Epoch result = epoch(e);
                if (result.Samples != samples || result.LabelSum != labelSum)
                {
                    throw new InvalidOperationException($"{scenario}: read {result.Samples} samples with label sum {result.LabelSum}; expected {samples} and {labelSum}.");
                }

                times.Add(result.Time);
            }

            peak = probe.Stop();
        }

        double best = times.Min().TotalSeconds;
        return new ResultRow(
            scenario, Dataset, "none", "random", "warm", threads, samples, epochs, samples / best, samples * (double)SyntheticMnist.SampleBytes / best / 1e9,
            [new Ratio(baseline, samples / best / reference)], null, times.Sum(t => t.TotalSeconds), peak.ResidentBytes, peak.AnonymousBytes, null);
    }

    // Setup, not timed in the rows: each sample's image then label, little-endian, in a file of its own.
    private static string[] WriteFiles(string folder, int samples, long expectedLabelSum, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var sw = Stopwatch.StartNew();
        string[] paths = new string[samples];
        byte[] sample = new byte[SyntheticMnist.SampleBytes];
        Span<float> image = MemoryMarshal.Cast<byte, float>(sample.AsSpan(0, SyntheticMnist.ImageBytes));
        ulong state = SyntheticDataset.InitialState;
        long labelSum = 0;
        for (int i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long label = SyntheticMnist.Generate(image, ref state);
            BinaryPrimitives.WriteInt64LittleEndian(sample.AsSpan(SyntheticMnist.ImageBytes), label);
            labelSum += label;
            paths[i] = Path.Combine(folder, i.ToString("D7", CultureInfo.InvariantCulture) + ".bin");

            // Not File.WriteAllBytes: it sets the length before writing, which on ext4 makes every close flush the
            // file (auto_da_alloc) and writing, then deleting, the folder several times slower.
            using SafeFileHandle file = File.OpenHandle(paths[i], FileMode.CreateNew, FileAccess.Write);
            RandomAccess.Write(file, sample, 0);
        }

        if (labelSum != expectedLabelSum)
        {
            throw new InvalidOperationException($"The files hold label sum {labelSum}, the shards {expectedLabelSum}: the generators disagree.");
        }

        BenchmarkRun.Log(string.Create(CultureInfo.InvariantCulture, $"wrote {samples:N0} files of {SyntheticMnist.SampleBytes} bytes in {sw.Elapsed.TotalSeconds:F1} s (setup, not timed)"));
        return paths;
    }

    private static Epoch FilesEpoch(string[] paths, int batchSize, int threads, int epoch, CancellationToken cancellationToken)
    {
        int[] order = Shuffled(paths.Length, epoch);
        int batches = (paths.Length + batchSize - 1) / batchSize;
        long samples = 0;
        long labelSum = 0;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, b =>
        {
            int first = b * batchSize;
            int count = Math.Min(batchSize, paths.Length - first);
            float[] images = new float[count * SyntheticMnist.Pixels];
            long[] labels = new long[count];
            for (int i = 0; i < count; i++)
            {
                byte[] bytes = File.ReadAllBytes(paths[order[first + i]]);
                MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, SyntheticMnist.ImageBytes)).CopyTo(images.AsSpan(i * SyntheticMnist.Pixels));
                labels[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(SyntheticMnist.ImageBytes));
            }

            Interlocked.Add(ref samples, count);
            Interlocked.Add(ref labelSum, labels.Sum());
        });
        return new Epoch(sw.Elapsed, samples, labelSum);
    }

    private static (float[] Images, long[] Labels) Generate(int samples)
    {
        float[] images = new float[(long)samples * SyntheticMnist.Pixels];
        long[] labels = new long[samples];
        ulong state = SyntheticDataset.InitialState;
        for (int i = 0; i < samples; i++)
        {
            labels[i] = SyntheticMnist.Generate(images.AsSpan(i * SyntheticMnist.Pixels, SyntheticMnist.Pixels), ref state);
        }

        return (images, labels);
    }

    private static Epoch ArraysEpoch(float[] images, long[] labels, int batchSize, int epoch, CancellationToken cancellationToken)
    {
        int[] order = Shuffled(labels.Length, epoch);
        long labelSum = 0;
        var sw = Stopwatch.StartNew();
        for (int first = 0; first < order.Length; first += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, order.Length - first);
            float[] x = new float[count * SyntheticMnist.Pixels];
            long[] y = new long[count];
            for (int i = 0; i < count; i++)
            {
                int row = order[first + i];
                images.AsSpan(row * SyntheticMnist.Pixels, SyntheticMnist.Pixels).CopyTo(x.AsSpan(i * SyntheticMnist.Pixels));
                y[i] = labels[row];
            }

            labelSum += y.Sum();
        }

        return new Epoch(sw.Elapsed, order.Length, labelSum);
    }

    // A fresh permutation per epoch, the same in every run.
    private static int[] Shuffled(int count, int epoch)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(1000 + epoch).Shuffle(order);
        return order;
    }
}
