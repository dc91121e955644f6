using System.Diagnostics;
using System.Runtime.InteropServices;
using ShardStore.Compression;
using ShardStore.Cuda;
using ShardStore.Cuda.Internals.Backends;

namespace ShardStore.Runner;

/// <summary>
/// The GPU mode (<c>--device cuda:N|host</c>): streams the dataset through the loader into a <see cref="DeviceRing"/>,
/// and compares, in the same run, with a plain async host-to-device copy loop from pinned memory of the same sizes;
/// then measures how long the device sits idle under a consumer whose per-batch work outlasts the copy: on a GPU a
/// spin kernel timed with events (<see cref="SpinKernel"/>), on the host device a host function on the emulated stream.
/// </summary>
internal static unsafe class DeviceBench
{
    public static int Run(string root, RunnerOptions options)
    {
        DeviceKind kind = options.DeviceOrdinal is null ? DeviceKind.Host : DeviceKind.Cuda;
        if (kind == DeviceKind.Cuda && !CudaDevice.IsAvailable)
        {
            Console.Error.WriteLine($"--device cuda:{options.DeviceOrdinal}: {CudaDevice.UnavailableReason}");
            return 1;
        }

        string datasetPath = Path.Combine(root, "mnist-like");
        Console.WriteLine($"Packing {options.Samples:N0} samples with {CodecNames.GetName(options.Codec)} into {datasetPath}");
        SyntheticMnist.Instance.Pack(datasetPath, options);
        using ShardDataset dataset = SyntheticDataset.Open(datasetPath);
        var loaderOptions = new ShardLoaderOptions { Order = options.Order, BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1, Epochs = options.Epochs };
        var ringOptions = new DeviceRingOptions { Device = kind, DeviceOrdinal = options.DeviceOrdinal ?? 0, MemoryBudgetBytes = options.DeviceBudgetBytes };

        // 1. The ring at full speed: the consumer only orders its stream after each copy and releases the slot.
        (double ringRate, long batches, long bytes, TimeSpan wait, string device) = Stream(dataset, loaderOptions, ringOptions, workPerBatch: TimeSpan.Zero, out _);
        Console.WriteLine($"Device: {device}");
        Console.WriteLine($"Ring: {batches:N0} batches, {bytes / 1e9:F2} GB in {options.Epochs} epoch(s): {ringRate / 1e9:F2} GB/s; consumer waited {wait.TotalMilliseconds:F1} ms");

        // 2. Baseline in the same run: cuMemcpyHtoDAsync (or the emulation's copy) from pinned memory, same buffer sizes.
        long[] fieldBytes = [.. SyntheticMnist.Instance.Schema.Fields.Select(f => (long)options.BatchSize * f.BytesPerSample)];
        (double baseRate, TimeSpan perBatch) = CopyBaseline(kind, options.DeviceOrdinal ?? 0, fieldBytes, (int)Math.Min(batches, 2000));
        Console.WriteLine($"Baseline async copy loop from pinned memory: {baseRate / 1e9:F2} GB/s ({perBatch.TotalMicroseconds:F0} us per batch); ring / baseline = {ringRate / baseRate:F2}x (goal >= 0.9x)");

        // 3. A consumer whose per-batch work on its stream outlasts the copy (and the loader's time per batch, or the
        // loader, not the ring, would be what the device waits for): the device should never wait for data.
        TimeSpan produce = TimeSpan.FromSeconds(bytes / ringRate / Math.Max(1, batches));
        TimeSpan work = TimeSpan.FromTicks(Math.Max(Math.Max(perBatch.Ticks * 2, produce.Ticks * 3 / 2), TimeSpan.FromMicroseconds(200).Ticks));
        Stream(dataset, loaderOptions with { Epochs = 1 }, ringOptions, work, out double idle);
        string consumer = kind == DeviceKind.Cuda ? "Spin-kernel consumer" : "Simulated consumer (host function)";
        Console.WriteLine($"{consumer}, {work.TotalMicroseconds:F0} us of stream work per batch: device idle {idle * 100:F2}% of the time (goal < 1%)");
        return 0;
    }

    private static (double Rate, long Batches, long Bytes, TimeSpan Wait, string Device) Stream(
        ShardDataset dataset, ShardLoaderOptions loaderOptions, DeviceRingOptions ringOptions, TimeSpan workPerBatch, out double idleFraction)
    {
        using ShardLoader loader = ShardLoader.Create(dataset, loaderOptions);
        using DeviceRing ring = DeviceRing.Create(loader, ringOptions);
        using DeviceStream stream = ring.CreateStream();
        if (ring.Backend is CudaBackend cuda)
        {
            return StreamWithKernel(ring, stream, cuda, workPerBatch, out idleFraction);
        }

        long workTicks = (long)(workPerBatch.TotalSeconds * Stopwatch.Frequency);
        long firstStart = 0;
        long lastEnd = 0;
        long worked = 0;
        var clock = Stopwatch.StartNew();
        while (ring.Next() is { } batch)
        {
            batch.WaitReady(stream);
            if (workTicks > 0)
            {
                // The host device's stand-in for a training step: holds the emulated stream for the given time, after the copy.
                stream.LaunchHostWork(() =>
                {
                    long start = Stopwatch.GetTimestamp();
                    if (firstStart == 0)
                    {
                        firstStart = start;
                    }

                    while (Stopwatch.GetTimestamp() - start < workTicks)
                    {
                    }

                    lastEnd = Stopwatch.GetTimestamp();
                    worked += lastEnd - start;
                });
            }

            batch.Release(stream);
        }

        stream.Synchronize();
        clock.Stop();
        idleFraction = lastEnd > firstStart ? Math.Max(0, 1 - ((double)worked / (lastEnd - firstStart))) : 0;
        return Summary(ring, clock.Elapsed);
    }

    // On a GPU: the consumer's step is a spin kernel on its stream, in stream order after the batch's copy.
    private static (double Rate, long Batches, long Bytes, TimeSpan Wait, string Device) StreamWithKernel(
        DeviceRing ring, DeviceStream stream, CudaBackend cuda, TimeSpan workPerBatch, out double idleFraction)
    {
        using var kernel = new SpinKernel(cuda);
        var clock = Stopwatch.StartNew();
        while (ring.Next() is { } batch)
        {
            batch.WaitReady(stream);
            if (workPerBatch > TimeSpan.Zero)
            {
                kernel.Launch(stream.Inner, workPerBatch);
            }

            batch.Release(stream);
        }

        stream.Synchronize();
        clock.Stop();
        idleFraction = kernel.IdleFraction();
        return Summary(ring, clock.Elapsed);
    }

    private static (double Rate, long Batches, long Bytes, TimeSpan Wait, string Device) Summary(DeviceRing ring, TimeSpan elapsed)
    {
        DeviceRingStatistics stats = ring.Statistics;
        return (stats.Bytes / elapsed.TotalSeconds, stats.Batches, stats.Bytes, stats.ConsumerWait, ring.DeviceDescription);
    }

    private static (double Rate, TimeSpan PerBatch) CopyBaseline(DeviceKind kind, int ordinal, long[] fieldBytes, int batches)
    {
        IDeviceBackend backend = kind == DeviceKind.Cuda ? CudaBackend.Open(ordinal) : new HostBackend();
        var host = new nint[fieldBytes.Length];
        var registrations = new IDisposable?[fieldBytes.Length];
        var device = new IDeviceAllocation[fieldBytes.Length];
        IDeviceStream stream = backend.CreateStream();
        try
        {
            for (int f = 0; f < fieldBytes.Length; f++)
            {
                long size = (fieldBytes[f] + 4095) & ~4095L;
                host[f] = (nint)NativeMemory.AlignedAlloc((nuint)size, 4096);
                new Span<byte>((void*)host[f], (int)size).Fill(1);
                registrations[f] = backend.RegisterHost(host[f], size, readOnly: false);
                device[f] = backend.Allocate(fieldBytes[f]);
            }

            long total = 0;
            var clock = Stopwatch.StartNew();
            for (int b = 0; b < batches; b++)
            {
                for (int f = 0; f < fieldBytes.Length; f++)
                {
                    backend.CopyHostToDeviceAsync(device[f].Pointer, host[f], fieldBytes[f], stream);
                    total += fieldBytes[f];
                }
            }

            backend.Synchronize(stream);
            clock.Stop();
            return (total / clock.Elapsed.TotalSeconds, clock.Elapsed / batches);
        }
        finally
        {
            stream.Dispose();
            for (int f = 0; f < fieldBytes.Length; f++)
            {
                device[f]?.Dispose();
                registrations[f]?.Dispose();
                NativeMemory.AlignedFree((void*)host[f]);
            }

            backend.Dispose();
        }
    }
}
