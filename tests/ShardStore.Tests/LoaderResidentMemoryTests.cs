using System.Globalization;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Reading a huge dataset does not grow RSS: copied batches map nothing, and zero-copy batches release mapped pages behind the read position.</summary>
[TestClass]
public sealed class LoaderResidentMemoryTests
{
    private const int Samples = 3072;
    private const int SampleBytes = 64 << 10;

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void Stream_CopiedBatches_FileBackedRssStaysSmallWhetherPagesAreReleasedOrNot(SampleOrder order)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Reads RssFile from /proc/self/status, which only Linux has.");
        }

        using var dir = new TempDirectory();
        Write(dir.Path);

        // 192 MiB in 4 MiB chunks were read. Copied batches read the files with positioned reads, which map
        // nothing: at most the chunks the loader may hold count (two windows or two chunks, two per worker, slack).
        long chunksHeld = (order == SampleOrder.Window ? 2 * 4 : 2) + (2 * 2) + 2 + 4;
        foreach (bool release in new[] { false, true })
        {
            long growth = MappedGrowth(dir.Path, order, release, zeroCopy: false);
            Assert.IsLessThan(chunksHeld * (4L << 20), growth, $"release {release}: RssFile grew {growth} bytes");
        }
    }

    [TestMethod]
    public void Stream_ZeroCopyReleaseConsumedPages_FileBackedRssStaysSmall()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Reads RssFile from /proc/self/status, which only Linux has.");
        }

        using var dir = new TempDirectory();
        Write(dir.Path);
        long kept = MappedGrowth(dir.Path, SampleOrder.Sequential, release: false, zeroCopy: true);
        long released = MappedGrowth(dir.Path, SampleOrder.Sequential, release: true, zeroCopy: true);

        // Batches over the mapping: kept mapped, most of the 192 MiB stays resident; released, only what the loader holds.
        Assert.IsGreaterThan(128L << 20, kept, $"kept mapped: RssFile grew {kept} bytes");
        Assert.IsLessThan(12 * (4L << 20), released, $"released: RssFile grew {released} bytes");
    }

    private static long MappedGrowth(string path, SampleOrder order, bool release, bool zeroCopy)
    {
        using ShardDataset dataset = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        using ShardLoader loader = ShardLoader.Create(dataset, new ShardLoaderOptions
        {
            Order = order,
            BatchSize = 32,
            DecodeWorkers = 2,
            WindowChunks = 4,
            ReleaseConsumedPages = release,
            ZeroCopy = zeroCopy,
        });
        long before = RssFileBytes();
        long peak = 0;
        long count = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                count += batch.Count;
                peak = Math.Max(peak, RssFileBytes() - before);
            }
        }

        Assert.AreEqual(Samples, count);
        return peak;
    }

    private static void Write(string path)
    {
        var schema = new Schema(FieldSpec.Fixed("blob", DType.U8, SampleBytes));
        using DatasetWriter writer = DatasetWriter.Create(path, schema, TestData.Options(chunkBytes: 4 << 20, shardBytes: 64L << 20));
        byte[] blob = new byte[SampleBytes];
        for (int i = 0; i < Samples; i++)
        {
            blob.AsSpan().Fill((byte)i);
            writer.Write<byte>(0, blob);
            writer.EndSample();
        }

        writer.Complete();
    }

    private static long RssFileBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                return long.Parse(line["RssFile:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no RssFile line.");
    }
}
