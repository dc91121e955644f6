using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using ShardStore;
using ShardStore.Codecs;
using ShardStore.S3;
using ShardStore.Storage;
using ShardStore.Testing.Infrastructure;

namespace CacheStress;

/// <summary>
/// The loader mode: one rank of a job reading a dataset in an S3 API server through a node-local cache directory
/// that other processes share, checking every sample against the values the test dataset was written with.
/// </summary>
internal static class LoaderRun
{
    public const string Usage = "CacheStress loader ENDPOINT S3_LOCATION CACHE_DIR LIMIT RANK WORLD EPOCHS READY_FILE GO_FILE";

    /// <summary>
    /// Writes READY_FILE once the dataset is open, waits for GO_FILE, runs the loader and prints one line:
    /// <c>batches= samples= checksum= fetched= hits= misses= evicted= declined=</c>. Exit codes: 0 done, 2 a sample
    /// with wrong values, 4 GO_FILE did not appear, 1 usage or failure.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Length != 10)
        {
            Console.Error.WriteLine("usage: " + Usage);
            return 1;
        }

        string endpoint = args[1];
        string location = args[2];
        var cache = new ChunkCacheOptions { Directory = args[3], LimitBytes = long.Parse(args[4], CultureInfo.InvariantCulture) };
        int rank = int.Parse(args[5], CultureInfo.InvariantCulture);
        int world = int.Parse(args[6], CultureInfo.InvariantCulture);
        int epochs = int.Parse(args[7], CultureInfo.InvariantCulture);
        var storage = new S3StorageOptions
        {
            ServiceUrl = endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("testing", "testing"),
            RetryDeadline = TimeSpan.FromSeconds(60),
            AttemptTimeout = TimeSpan.FromSeconds(10),
        };

        using ShardDataset dataset = ShardDataset.Open(location, new ShardDatasetOptions
        {
            Codecs = NativeCodecs.Provider,
            ObjectStorage = S3Storage.CreateProvider(storage),
            Cache = cache,
        });
        File.WriteAllText(args[8], Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var wait = Stopwatch.StartNew();
        while (!File.Exists(args[9]))
        {
            if (wait.Elapsed > TimeSpan.FromMinutes(2))
            {
                Console.Error.WriteLine($"{args[9]} did not appear within 2 minutes.");
                return 4;
            }

            Thread.Sleep(5);
        }

        // The options of the tests' loader runs (LoaderRuns.Options), so a local run of the same rank gives the same checksum.
        var options = new ShardLoaderOptions
        {
            Order = SampleOrder.Window,
            BatchSize = 16,
            Seed = 7,
            WindowChunks = 4,
            DecodeWorkers = 2,
            PrefetchDepth = 3,
            MemoryBudgetBytes = 16 << 20,
            Epochs = epochs,
            WorldSize = world,
            Rank = rank,
        };

        long batches = 0;
        long samples = 0;
        ulong checksum = SampleChecksum.Start;
        using (ShardLoader loader = ShardLoader.Create(dataset, options))
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    if (MixedValues.FirstError(batch) is { } error)
                    {
                        Console.Error.WriteLine($"rank {rank}, epoch {batch.Epoch}, batch {batch.Sequence}: {error}");
                        return 2;
                    }

                    foreach (long sample in batch.SampleIndices)
                    {
                        checksum = SampleChecksum.Add(checksum, batch.Epoch, sample);
                    }

                    samples += batch.Count;
                    batches++;
                }
            }
        }

        RemoteReadStatistics s = dataset.RemoteStatistics!.Value;
        ChunkCacheStatistics c = s.Cache!.Value;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"batches={batches} samples={samples} checksum={checksum:x16} fetched={s.BytesFetched} hits={c.Hits} misses={c.Misses} evicted={c.EntriesEvicted} declined={c.DeclinedWrites}"));
        return 0;
    }
}
